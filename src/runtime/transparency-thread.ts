import type { StalledAtEvent } from '../event-store/stalled-at-event';
import type { SelfCheckReport } from '../transparency/log-self-check';
import type { LogKey } from '../transparency/log-key';
import type { LogTransparencySettings, StartTransparency, TransparencyPart, TransparencyReports } from '../transparency/log-transparency';
import { signerKeyText, verifierKeyText } from '../transparency/signed-note';
import { fromThreadError, startThread, type ThreadFailure } from './worker-thread';

/** What the worker thread is started with. */
export interface TransparencyThreadData {
  eventLogPath: string;
  merkleNodesPath: string;
  /** The log key as text (a KeyObject does not cross threads as one): the signer, and every key of the keyring. */
  signerKey: string;
  keyring: string[];
  settings: LogTransparencySettings;
}

/** What the worker thread tells the role: a failure without a part is the thread's own (it could not start). */
export type TransparencyThreadMessage =
  | { kind: 'checked'; report: SelfCheckReport }
  | { kind: 'followed'; position: bigint | undefined }
  | { kind: 'stalled'; stall: StalledAtEvent }
  | (ThreadFailure & { part?: TransparencyPart });

export interface TransparencyThreadOptions {
  eventLogPath: string;
  merkleNodesPath: string;
  logKey: LogKey;
  settings: LogTransparencySettings;
  /** How long a stop waits for the thread to store what it was delivered before it is terminated. */
  stopTimeoutMs?: number;
}

/**
 * What the thread holds is small (per org: a tree edge, the leaves not yet signed); what it reads
 * is the whole log, a page at a time, all of it garbage at once. A young generation of 8 MiB
 * (V8's default is several times that) collects it sooner: the peak RSS of the follower's rebuild
 * and the check of a 100,000-event log on the thread fell from 192 to 148 MiB, no slower. The
 * old generation is not capped: a thread out of heap would die at every start.
 */
const RESOURCE_LIMITS = { maxYoungGenerationSizeMb: 8 };

/**
 * The embedded process's transparency work (log-transparency.ts) on a worker thread: the thread
 * opens the event log and the node store on connections of its own (WAL: the API's connections
 * read beside it), so the follower's rebuild and the check of a million events never hold the
 * API's event loop. Resumable like a process: killed at any point, the follower resumes from its
 * checkpoint and the check starts over.
 */
export const startTransparencyOnThread =
  (options: TransparencyThreadOptions): StartTransparency =>
  (reports) => {
    const data: TransparencyThreadData = {
      eventLogPath: options.eventLogPath,
      merkleNodesPath: options.merkleNodesPath,
      signerKey: signerKeyText(options.logKey.signer),
      keyring: options.logKey.keyring.map(verifierKeyText),
      settings: options.settings,
    };
    const thread = startThread<TransparencyThreadMessage>('transparency.worker', data, {
      onMessage: (message) => handle(message, reports),
      onError: (error) => reports.onError('thread', error),
    }, RESOURCE_LIMITS);
    return {
      ended: thread.exited.then((code) => {
        if (!thread.stopping) reports.onError('thread', new Error(`the transparency thread ended (exit code ${code}); starting it again`));
      }),
      stop: () => thread.stop(options.stopTimeoutMs ?? 30_000),
    };
  };

function handle(message: TransparencyThreadMessage, reports: TransparencyReports): void {
  switch (message.kind) {
    case 'checked':
      return reports.onChecked(message.report);
    case 'followed':
      return reports.onFollowed(message.position);
    case 'stalled':
      return reports.onStalled(message.stall);
    case 'error':
      return reports.onError(message.part ?? 'thread', fromThreadError(message.error));
    default:
      return message satisfies never;
  }
}
