// Buffer first: the verifier's modules use it as they load.
import './node-compat/buffer-global';
import { useCryptoPrimitives } from '../../src/crypto/crypto-primitives';
import { AuditVerifier, type AuditVerdict } from '../../src/transparency/audit-verifier';
import { InvalidNote, parseVerifierKey } from '../../src/transparency/signed-note';
// After the verifier's modules: its SHA-512 hook for noble replaces theirs.
import { NOBLE_CRYPTO_PRIMITIVES } from './noble-crypto-primitives';

useCryptoPrimitives(NOBLE_CRYPTO_PRIMITIVES);

/**
 * The audit verification's worker: the CLI's AuditVerifier (src/transparency), bundled by Vite,
 * fed the org's NDJSON export off the page's thread, so that the page draws, answers and can
 * cancel (by ending this worker) while a long export is checked. It is told the log key and the
 * checkpoint the page kept; what to keep afterwards is the page's (localStorage is not here).
 */
export interface VerificationTask {
  logKey: string;
  trustedCheckpoint?: string;
  /** The export's bytes, transferred: the page keeps no copy. */
  exported: ArrayBuffer;
}

/** Lines of the export gone through, of all its lines; `read` 2 is the second read a checkpoint may ask for. */
export interface VerificationProgress {
  read: 1 | 2;
  lines: number;
  of: number;
}

export type VerificationMessage = { progress: VerificationProgress } | { verdict: AuditVerdict } | { refused: string } | { fault: string };

/** Characters fed at a time, a progress message after each: a few hundred over a 100,000-event export. */
const CHUNK = 1 << 16;

const newlines = (text: string, from: number, to: number): number => {
  let count = 0;
  for (let at = text.indexOf('\n', from); at >= 0 && at < to; at = text.indexOf('\n', at + 1)) count += 1;
  return count;
};

/** Feeds the text chunk by chunk, as the CLI feeds read chunks, telling how many lines went by after each. */
function feed(text: string, push: (chunk: string) => void, stopped: () => boolean, tell: (lines: number) => void): void {
  let lines = 0;
  for (let from = 0; from < text.length && !stopped(); from += CHUNK) {
    const to = Math.min(from + CHUNK, text.length);
    push(text.slice(from, to));
    lines += newlines(text, from, to);
    tell(lines);
  }
}

function verify({ logKey, trustedCheckpoint, exported }: VerificationTask, tell: (message: VerificationMessage) => void): VerificationMessage {
  let verifier: AuditVerifier;
  try {
    verifier = new AuditVerifier({ logKey: parseVerifierKey(logKey), ...(trustedCheckpoint && { trustedCheckpoint }) });
  } catch (error) {
    if (error instanceof InvalidNote) return { refused: `The log key or the checkpoint this browser kept does not open: ${error.message}` };
    throw error;
  }
  // As fetch's text() reads it: UTF-8, a byte order mark dropped, a byte that is no UTF-8 replaced.
  const text = new TextDecoder().decode(exported);
  const of = newlines(text, 0, text.length) + (text === '' || text.endsWith('\n') ? 0 : 1);
  const stopped = () => verifier.failed !== undefined;
  // pushText, as the CLI feeds a read chunk: its line splitter refuses a line past the 1 MiB cap, which a genuine record padded with white space would otherwise pass.
  feed(text, (chunk) => verifier.pushText(chunk), stopped, (lines) => tell({ progress: { read: 1, lines, of } }));
  // A checkpoint far behind the events before it is checked on a second read, as the CLI does.
  const again = verifier.secondRead();
  if (again) feed(text, (chunk) => again.pushText(chunk), stopped, (lines) => tell({ progress: { read: 2, lines, of } }));
  return { verdict: verifier.finish() };
}

/** The worker's side of the page's messages (its global scope, as far as used here: the console is typed with the DOM's lib). */
const scope = self as unknown as { onmessage: ((event: MessageEvent<VerificationTask>) => void) | null; postMessage(message: VerificationMessage): void };

scope.onmessage = ({ data }) => {
  const tell = (message: VerificationMessage) => scope.postMessage(message);
  try {
    tell(verify(data, tell));
  } catch (error) {
    // The verifier's own fault (VerifierFault): no verdict on the log.
    tell({ fault: error instanceof Error ? error.message : String(error) });
  }
};
