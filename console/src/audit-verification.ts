import type { AuditVerdict } from '../../src/transparency/verifier/audit-verdict';
import { ApiProblem, type Api } from './api';
import type { Session } from './session';
import type { Cosigned, VerificationMessage, VerificationProgress, VerificationTask, WitnessedCheckpoint } from './audit-verification.worker';

export type { Cosigned, VerificationProgress } from './audit-verification.worker';

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

/** What localStorage keeps under `name`, when it is JSON and `valid`; another tab or an older console may have written anything. */
function stored<T extends object>(name: string, valid: (value: T) => boolean): T | undefined {
  try {
    const value = JSON.parse(localStorage.getItem(name) ?? 'null') as T | null;
    return value && valid(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export const remembered = (session: Session): Remembered | undefined => stored<Remembered>(slot(session), (value) => typeof value.logKey === 'string');

/**
 * The shared witnesses the user requires of this org's checkpoints (README, Shared witness), as
 * `ztkeys audit … --witness-key K --witness-quorum N` does: their verifier keys as pasted, never
 * taken from the server being checked, and how many must have cosigned (by default every one).
 */
export interface RequiredWitnesses {
  keys: string;
  quorum?: number;
}

const witnessesSlot = (session: Session) => `ztkeys.requiredWitnesses.${session.orgId}`;

/** A quorum that is no count is kept, for the worker to refuse: a setting is never dropped silently. */
export const requiredWitnesses = (session: Session): RequiredWitnesses | undefined =>
  stored<RequiredWitnesses>(witnessesSlot(session), (value) => typeof value.keys === 'string' && value.keys.trim() !== '');

/** Sets the witnesses to require from now on, or requires none (`undefined`). */
export function requireWitnesses(session: Session, required: RequiredWitnesses | undefined): void {
  if (required) localStorage.setItem(witnessesSlot(session), JSON.stringify(required));
  else localStorage.removeItem(witnessesSlot(session));
}

/** The size on a checkpoint's second line: only which consistency proof to ask for, the worker opening the note and checking the answer's sizes. */
const sizeLine = (note: string): number => Number(note.split('\n', 2)[1]);

/**
 * What the server answers for the required witnesses to be checked (in the worker): its
 * checkpoint with the cosignatures, and the consistency proof from the checkpoint kept to it.
 * Fetched before the export, which must then extend that checkpoint.
 */
export async function witnessedCheckpoint(api: Api, session: Session, required: RequiredWitnesses): Promise<WitnessedCheckpoint | { refused: string }> {
  let checkpoint: string;
  try {
    checkpoint = await api.getText(api.orgPath('audit-log', 'checkpoint'));
  } catch (error) {
    if (error instanceof ApiProblem && error.status === 404) {
      return { refused: 'REFUSED: the server serves no checkpoint of this organization yet, so none carries the cosignatures of the witnesses you require. This browser keeps nothing.' };
    }
    throw error;
  }
  const saved = remembered(session)?.checkpoint;
  const [from, to] = [saved === undefined ? 0 : sizeLine(saved), sizeLine(checkpoint)];
  const consistency = saved !== undefined && from < to ? await api.get<unknown>(api.orgPath('audit-log', 'consistency'), { from: String(from), to: String(to) }) : undefined;
  return { orgId: session.orgId, ...required, checkpoint, ...(consistency !== undefined && { consistency }) };
}

export type Verification = { verdict: AuditVerdict; cosigned?: Cosigned } | { refused: string };

/**
 * Verifies the export (its bytes, handed over to the worker) against the log key, and, with
 * `witnessed`, that the served checkpoint carries the required cosignatures and the export extends it, telling
 * `onProgress` how far the worker got. Aborting `signal` ends the worker at once: the promise
 * rejects with the signal's reason, and nothing is kept.
 */
export function verifyExport(
  session: Session,
  logKeyText: string,
  exported: ArrayBuffer,
  onProgress: (progress: VerificationProgress) => void,
  signal: AbortSignal,
  witnessed?: WitnessedCheckpoint,
): Promise<Verification> {
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
    worker.postMessage({ logKey, ...(before?.checkpoint && { trustedCheckpoint: before.checkpoint }), exported, ...(witnessed && { witnessed }) } satisfies VerificationTask, [exported]);
  });
}
