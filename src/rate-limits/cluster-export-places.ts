import cluster, { type Worker } from 'node:cluster';
import { randomUUID } from 'node:crypto';
import { onChannel, sendToPrimary, sendToWorker } from './cluster-ipc';
import { type ExportCaller, type ExportLimit, type ExportPlace, type ExportPlaceCounter, ExportPlaces } from './export-places';
import { PRIMARY_ANSWER_TIMEOUT_MS } from './rate-limits';

/** The IPC messages of export places, told from the cluster's own and the rate limits' by their channel. */
const CHANNEL = 'ztkeys_export_places';

export type Request = { channel: typeof CHANNEL; type: 'take'; id: string; caller: ExportCaller } | { channel: typeof CHANNEL; type: 'release'; id: string };
interface Answer {
  channel: typeof CHANNEL;
  id: string;
  full?: { limit: ExportLimit; max: number };
}

const isOurs = onChannel(CHANNEL);

/**
 * In the cluster's primary: counts the export places of every worker, so the bounds hold for the
 * server as a whole whichever worker a connection reaches. A worker that exits gives back the places
 * it held (its connections went with it). Called before the workers are forked.
 */
export function countExportPlacesForWorkers(max: { perOrg: number; perAgent: number }): void {
  const places = new ExportPlaces(max);
  const held = new Map<Worker, Map<string, () => void>>();
  cluster.on('message', (worker, message: Request) => {
    if (!isOurs(message)) return;
    const ofWorker = held.get(worker) ?? held.set(worker, new Map()).get(worker)!;
    if (message.type === 'release') {
      ofWorker.get(message.id)?.();
      ofWorker.delete(message.id);
      return;
    }
    const place = places.takeNow(message.caller);
    if ('release' in place) ofWorker.set(message.id, place.release);
    const answer: Answer = { channel: CHANNEL, id: message.id, ...('full' in place ? { full: { limit: place.full, max: place.max } } : {}) };
    sendToWorker(worker, answer);
  });
  cluster.on('exit', (worker) => {
    for (const release of held.get(worker)?.values() ?? []) release();
    held.delete(worker);
  });
}

/**
 * In a cluster worker: takes export places from the primary over IPC. A primary that does not
 * answer within PRIMARY_ANSWER_TIMEOUT_MS (it has only this to do: a stalled one) leaves the worker
 * counting on its own, as the rate limits do, rather than every export waiting. The worker then
 * sends the place back at once: the primary reads a worker's messages in order, so it frees
 * whatever it grants that request as soon as it grants it, and nothing waits here for its answer.
 */
export class ClusterExportPlaces implements ExportPlaceCounter {
  private readonly waiting = new Map<string, (answer: Answer) => void>();
  private readonly own: ExportPlaces;

  constructor(
    max: { perOrg: number; perAgent: number },
    private readonly send: (request: Request) => void = sendToPrimary,
  ) {
    this.own = new ExportPlaces(max);
  }

  /** Hands the primary's answer to its request; other channels' messages and late answers are ignored. */
  receive(message: unknown): void {
    if (isOurs(message)) this.waiting.get((message as Answer).id)?.(message as Answer);
  }

  /** Requests still waiting for the primary. */
  get unanswered(): number {
    return this.waiting.size;
  }

  take(caller: ExportCaller): Promise<ExportPlace> {
    const id = randomUUID();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        this.send({ channel: CHANNEL, type: 'release', id });
        resolve(this.own.takeNow(caller));
      }, PRIMARY_ANSWER_TIMEOUT_MS);
      this.waiting.set(id, (answer) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        resolve(answer.full ? { full: answer.full.limit, max: answer.full.max } : { release: this.releaseOnce(id) });
      });
      this.send({ channel: CHANNEL, type: 'take', id, caller });
    });
  }

  private releaseOnce(id: string): () => void {
    let given = false;
    return () => {
      if (given) return;
      given = true;
      this.send({ channel: CHANNEL, type: 'release', id });
    };
  }
}

/** The export places of this process: the primary's count in a cluster worker, its own otherwise. */
export function exportPlaceCounter(max: { perOrg: number; perAgent: number }): ExportPlaceCounter {
  if (!cluster.isWorker) return new ExportPlaces(max);
  const places = new ClusterExportPlaces(max);
  process.on('message', (message) => places.receive(message));
  return places;
}
