// Buffer first: the verifier's modules use it as they load.
import './node-compat/buffer-global';
import { useCryptoPrimitives } from '../../src/crypto/crypto-primitives';
import { AuditVerifier, type AuditVerdict } from '../../src/transparency/audit-verifier';
import { InvalidNote, parseVerifierKey } from '../../src/transparency/signed-note';
// After the verifier's modules: its SHA-512 hook for noble replaces theirs.
import { NOBLE_CRYPTO_PRIMITIVES } from './noble-crypto-primitives';
import type { Session } from './session';

useCryptoPrimitives(NOBLE_CRYPTO_PRIMITIVES);

/**
 * The audit verification of `ztkeys audit verify`, in the browser: the same AuditVerifier
 * (src/transparency), bundled by Vite, fed the org's NDJSON export and the log verifier key.
 * Like the CLI's --trusted-checkpoint/--save-checkpoint, the last verified checkpoint is kept (in
 * localStorage) and the next export must extend it; the log key seen first is kept too, and a
 * different one is refused rather than trusted.
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

export function verifyExport(session: Session, logKeyText: string, exportText: string): Verification {
  const logKey = logKeyText.trim();
  const before = remembered(session);
  if (before && before.logKey !== logKey)
    return { refused: `The server’s log key is now ${logKey}, but this browser verified the log under ${before.logKey}: a log key never changes; do not trust this log.` };
  let verifier: AuditVerifier;
  try {
    verifier = new AuditVerifier({ logKey: parseVerifierKey(logKey), ...(before?.checkpoint && { trustedCheckpoint: before.checkpoint }) });
  } catch (error) {
    if (error instanceof InvalidNote) return { refused: `The log key or the checkpoint this browser kept does not open: ${error.message}` };
    throw error;
  }
  // pushText, as the CLI feeds a read chunk: its line splitter refuses a line past the 1 MiB cap, which a genuine record padded with white space would otherwise pass.
  verifier.pushText(exportText);
  // A checkpoint far behind the events before it is checked on a second read, as the CLI does.
  verifier.secondRead()?.pushText(exportText);
  const verdict = verifier.finish();
  const org = verdict.orgs.find((candidate) => candidate.orgId === session.orgId);
  if (verdict.ok) localStorage.setItem(slot(session), JSON.stringify({ logKey, checkpoint: org?.lastCheckpoint?.note ?? before?.checkpoint } satisfies Remembered));
  return { verdict };
}
