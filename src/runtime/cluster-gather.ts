import cluster, { type Worker } from 'node:cluster';
import { randomUUID } from 'node:crypto';
import { onChannel, sendToPrimary, sendToWorker } from '../rate-limits/cluster-ipc';
import { PRIMARY_ANSWER_TIMEOUT_MS } from '../rate-limits/rate-limits';

/** The IPC messages of what is gathered from every worker, told from the cluster's own and the limits' by their channel. */
const CHANNEL = 'ztkeys_cluster_gather';

/** What a worker answers for the cluster: its metrics (prom-client's JSON), its readiness checks. */
export type Topic = 'metrics' | 'readiness';

/** How a worker answers each topic. */
export type Answerers = Record<Topic, () => Promise<unknown>>;

/**
 * Each worker's answer, by its index (0: the one that runs every role): `starting` before its app
 * answers anything (its stores still opening), `silent` when it did not answer in time.
 */
export type WorkerAnswer = { worker: number; answer: unknown } | { worker: number; missing: 'starting' | 'silent' };

/** How a worker gathers every worker's answer to a topic; rejects with ClusterDidNotAnswer when the primary does not answer in time. */
export type Gather = (topic: Topic) => Promise<WorkerAnswer[]>;

type Message =
  // A worker to the primary: it answers from now on; it asks every worker; its answer to the primary's ask.
  | { channel: typeof CHANNEL; type: 'answers' }
  | { channel: typeof CHANNEL; type: 'gather'; id: string; topic: Topic }
  | { channel: typeof CHANNEL; type: 'answer'; id: string; answer: unknown }
  // The primary to each worker, then to the one that asked.
  | { channel: typeof CHANNEL; type: 'ask'; id: string; topic: Topic }
  | { channel: typeof CHANNEL; type: 'gathered'; id: string; answers: WorkerAnswer[] };

const isOurs = onChannel(CHANNEL);

/** How long the primary waits for the workers: above the 2 s that bound a worker's readiness checks (PING_TIMEOUT_MS). */
export const WORKERS_ANSWER_TIMEOUT_MS = 3000;

/** The primary, or a worker, did not answer in time: what was gathered would be part of the cluster only. */
export class ClusterDidNotAnswer extends Error {}

/**
 * In the cluster's primary: asks every worker what one of them asks for, and answers it with every
 * worker's answer, or, for one that did not answer within WORKERS_ANSWER_TIMEOUT_MS, why. `indexOf`
 * names each worker as the cluster forked it. Called before the workers are forked.
 */
export function gatherForWorkers(indexOf: (worker: Worker) => number): void {
  const answering = new Set<Worker>();
  const asked = new Map<string, (from: Worker, answer: unknown) => void>();
  const gather = (topic: Topic): Promise<WorkerAnswer[]> =>
    new Promise((resolve) => {
      const id = randomUUID();
      const workers = Object.values(cluster.workers ?? {})
        .filter((worker): worker is Worker => worker !== undefined)
        .sort((a, b) => indexOf(a) - indexOf(b));
      const answers = new Map<Worker, unknown>();
      const done = (): void => {
        clearTimeout(timer);
        asked.delete(id);
        resolve(
          workers.map((worker) =>
            answers.has(worker) ? { worker: indexOf(worker), answer: answers.get(worker) } : { worker: indexOf(worker), missing: answering.has(worker) ? 'silent' : 'starting' },
          ),
        );
      };
      const timer = setTimeout(done, WORKERS_ANSWER_TIMEOUT_MS);
      const expected = workers.filter((worker) => answering.has(worker));
      asked.set(id, (from, answer) => {
        answers.set(from, answer);
        if (expected.every((worker) => answers.has(worker))) done();
      });
      for (const worker of expected) sendToWorker(worker, { channel: CHANNEL, type: 'ask', id, topic } satisfies Message);
      if (expected.length === 0) done();
    });
  cluster.on('message', (from, message: Message) => {
    if (!isOurs(message)) return;
    if (message.type === 'answers') answering.add(from);
    else if (message.type === 'answer') asked.get(message.id)?.(from, message.answer);
    else if (message.type === 'gather') void gather(message.topic).then((answers) => sendToWorker(from, { channel: CHANNEL, type: 'gathered', id: message.id, answers } satisfies Message));
  });
  cluster.on('exit', (worker) => answering.delete(worker));
}

/**
 * In a cluster worker: from now on answers the primary's asks with `answerers`, and returns how
 * this worker gathers every worker's answers through the primary (its own among them). A primary
 * that does not answer within WORKERS_ANSWER_TIMEOUT_MS and its own PRIMARY_ANSWER_TIMEOUT_MS is
 * taken as stalled: the gather rejects rather than wait on.
 */
export function joinClusterGather(answerers: Answerers): Gather {
  const waiting = new Map<string, (answers: WorkerAnswer[]) => void>();
  process.on('message', (message: Message) => {
    if (!isOurs(message)) return;
    if (message.type === 'gathered') waiting.get(message.id)?.(message.answers);
    else if (message.type === 'ask') {
      // One that fails to answer (a metric's collect threw) is named silent by the primary, as a stalled one.
      answerers[message.topic]().then(
        (answer) => sendToPrimary({ channel: CHANNEL, type: 'answer', id: message.id, answer } satisfies Message),
        () => undefined,
      );
    }
  });
  sendToPrimary({ channel: CHANNEL, type: 'answers' } satisfies Message);
  const timeoutMs = WORKERS_ANSWER_TIMEOUT_MS + PRIMARY_ANSWER_TIMEOUT_MS;
  return (topic) =>
    new Promise((resolve, reject) => {
      const id = randomUUID();
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new ClusterDidNotAnswer(`the cluster's primary did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      waiting.set(id, (answers) => {
        clearTimeout(timer);
        waiting.delete(id);
        resolve(answers);
      });
      sendToPrimary({ channel: CHANNEL, type: 'gather', id, topic } satisfies Message);
    });
}
