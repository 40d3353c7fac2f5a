import type { AuditVerdict } from '../../src/transparency/audit-verifier';
import type { Session } from './session';
import type { VerificationMessage, VerificationProgress, VerificationTask } from './audit-verification.worker';

export type { VerificationProgress } from './audit-verification.worker';

/**
 * The audit verification of `ztkeys audit verify`, in the browser: the same AuditVerifier
 * (src/transparency), run in a worker (audit-verification.worker.ts) on the org's NDJSON export
 * and the log verifier key. Like the CLI's --trusted-checkpoint/--save-checkpoint, the last
 * verified checkpoint is kept (in localStorage) and the next export must extend it; the log key
 * seen first is kept too, and a different one is refused rather than trusted.
 */
export interface Remembered {
  logKey: string;
  checkpoint?: string;
}

const slot = (session: Session) => `ztkeys.auditWitness.${session.orgId}`;

export function remembered(session: Session): Remembered | undefined {
  try {
    const value = JSON.parse(localStorage.getItem(slot(session)) ?? 'null') as Remembered | null;
    return value && typeof value.logKey === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

export type Verification = { verdict: AuditVerdict } | { refused: string };

/**
 * Verifies the export (its bytes, handed over to the worker) against the log key, telling
 * `onProgress` how far the worker got. Aborting `signal` ends the worker at once: the promise
 * rejects with the signal's reason, and nothing is kept.
 */
export function verifyExport(session: Session, logKeyText: string, exported: ArrayBuffer, onProgress: (progress: VerificationProgress) => void, signal: AbortSignal): Promise<Verification> {
  const logKey = logKeyText.trim();
  const before = remembered(session);
  if (before && before.logKey !== logKey)
    return Promise.resolve({ refused: `The server’s log key is now ${logKey}, but this browser verified the log under ${before.logKey}: a log key never changes; do not trust this log.` });
  if (signal.aborted) return Promise.reject(signal.reason);
  // A file of the console's own (same origin, CSP worker-src 'self'), bundled by Vite with the verifier.
  const worker = new Worker(new URL('./audit-verification.worker.ts', import.meta.url), { type: 'module', name: 'audit verification' });
  return new Promise<Verification>((resolve, reject) => {
    // No message is read after the end: a verdict already on its way when cancelled is not kept.
    const end = () => (worker.terminate(), (worker.onmessage = worker.onerror = null), signal.removeEventListener('abort', cancel));
    const cancel = () => (end(), reject(signal.reason));
    signal.addEventListener('abort', cancel);
    worker.onmessage = ({ data }: MessageEvent<VerificationMessage>) => {
      if ('progress' in data) return onProgress(data.progress);
      end();
      if ('fault' in data) return reject(new Error(data.fault));
      if ('verdict' in data && data.verdict.ok) {
        const org = data.verdict.orgs.find((candidate) => candidate.orgId === session.orgId);
        localStorage.setItem(slot(session), JSON.stringify({ logKey, checkpoint: org?.checkpointToKeep ?? before?.checkpoint } satisfies Remembered));
      }
      resolve(data);
    };
    worker.onerror = (event) => (end(), reject(new Error(`the verification could not run in a worker: ${event.message || 'its script did not load'}`)));
    worker.postMessage({ logKey, ...(before?.checkpoint && { trustedCheckpoint: before.checkpoint }), exported } satisfies VerificationTask, [exported]);
  });
}
