import type { CheckLog, SelfCheckReport } from '../transparency/log-self-check';
import { fromThreadError, startThread, type ThreadFailure } from './worker-thread';

/** What the check's thread is started with. */
export interface SelfCheckThreadData {
  eventLogPath: string;
  /** The node store to compare with the log; none: the nodes are not compared. */
  merkleNodesPath?: string;
  /** The keys of the log's keyring as text. */
  keyring: string[];
}

/** What the check's thread tells its parent: each failure, then that the check ended, with its report if it read the log to its end. */
export type SelfCheckThreadMessage = { kind: 'ended'; report: SelfCheckReport | undefined } | ThreadFailure;

/** The young generation of the transparency thread, for the same garbage (see transparency-thread.ts). */
const RESOURCE_LIMITS = { maxYoungGenerationSizeMb: 8 };

/** How long a stopped check may take to close its connections before its thread is terminated. */
const STOP_TIMEOUT_MS = 10_000;

/**
 * Each check of the embedded log on a worker thread of its own, ended with the check. The check's
 * heap grows with the log's streams and orgs, and V8 collects an idle thread's old generation only
 * when it grows again: run on the long-lived transparency thread, a check at start left ~145 MiB
 * of garbage committed until the next one (424,000 events, 200,000 streams), and its connection's
 * page cache resident. A thread that ends gives all of it back; starting one costs ~200 ms of CPU.
 */
export const checkLogOnThread =
  (data: SelfCheckThreadData): CheckLog =>
  (signal, onError) =>
    new Promise<SelfCheckReport | undefined>((resolve) => {
      if (signal.aborted) return resolve(undefined);
      let report: SelfCheckReport | undefined;
      let told = false;
      const stop = (): void => void thread.stop(STOP_TIMEOUT_MS);
      const thread = startThread<SelfCheckThreadMessage>('self-check.worker', data, {
        onMessage: (message) => {
          told = true;
          if (message.kind === 'error') return onError(fromThreadError(message.error));
          report = message.report;
          stop();
        },
        onError: (error) => {
          told = true;
          onError(error);
        },
      }, RESOURCE_LIMITS);
      signal.addEventListener('abort', stop, { once: true });
      void thread.exited.then((code) => {
        signal.removeEventListener('abort', stop);
        if (!told && !thread.stopping) onError(new Error(`the self-check's thread ended (exit code ${code}) before the check did`));
        resolve(signal.aborted ? undefined : report);
      });
    });
