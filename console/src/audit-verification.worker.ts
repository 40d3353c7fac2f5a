// Buffer first: the verifier's modules use it as they load.
import './node-compat/buffer-global';
import { useCryptoPrimitives } from '../../src/crypto/crypto-primitives';
import { AuditVerifier } from '../../src/transparency/audit-verifier';
import type { AuditVerdict } from '../../src/transparency/verifier/audit-verdict';
import { checkpointOrigin, checkpointSize } from '../../src/transparency/checkpoint';
import { checkWitness, consistencyProofIn } from '../../src/transparency/log-witness';
import { InvalidNote, parseVerifierKey } from '../../src/transparency/signed-note';
import { parseCosignerKeys, witnessedBy, witnessGivenTwice } from '../../src/transparency/witness-quorum';
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
  witnessed?: WitnessedCheckpoint;
}

/**
 * The shared witnesses the user requires (their keys as pasted, separated by white space or
 * commas, and the quorum, by default every one), and what the server answered, fetched before the
 * export: its checkpoint with the cosignatures, and the consistency answer from the kept checkpoint to it.
 */
export interface WitnessedCheckpoint {
  orgId: string;
  keys: string;
  quorum?: number;
  checkpoint: string;
  consistency?: unknown;
}

/** How many of the required witnesses cosigned the checkpoint the export extends. */
export interface Cosigned {
  size: number;
  /** The size of the checkpoint this browser kept, which the cosigned one extends (a consistency proof). */
  kept?: number;
  by: number;
  of: number;
  quorum: number;
}

/** Lines of the export gone through, of all its lines; `read` 2 is the second read a checkpoint may ask for. */
export interface VerificationProgress {
  read: 1 | 2;
  lines: number;
  of: number;
}

export type VerificationMessage = { progress: VerificationProgress } | { verdict: AuditVerdict; cosigned?: Cosigned } | { refused: string } | { fault: string };

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

/**
 * What `ztkeys audit export --witness-key` checks before it exports: the server's checkpoint
 * extends the one kept (a consistency proof), and carries a quorum of valid cosignatures of the
 * required witnesses. The export must then extend that checkpoint (the one kept, if newer), as
 * `audit verify --trusted-checkpoint --witness-key` asks of the file.
 */
function witness({ logKey, trustedCheckpoint: saved, witnessed }: VerificationTask & { witnessed: WitnessedCheckpoint }): { trusted: string; earlier?: string; cosigned: Cosigned } | { refused: string } {
  const { orgId, keys, checkpoint } = witnessed;
  let witnesses;
  try {
    witnesses = parseCosignerKeys(keys);
  } catch (error) {
    if (error instanceof InvalidNote) return { refused: `A witness key you set is no witness verifier key (name+keyid+base64, as \`npm run witness -- key\` prints it): ${error.message}. Nothing was verified.` };
    throw error;
  }
  const quorum = witnessed.quorum ?? witnesses.length;
  const twice = witnessGivenTwice(witnesses);
  if (twice) return { refused: `The witness keys you set name ${twice.name} twice: a quorum counts each witness once. Nothing was verified.` };
  if (witnesses.length === 0 || !Number.isInteger(quorum) || quorum < 1 || quorum > witnesses.length) return { refused: `The quorum you set, ${quorum}, must be from 1 to the ${witnesses.length} witness key(s) you set. Nothing was verified.` };
  const forked = saved ? ' The log does not extend the checkpoint this browser verified before: its history was rewritten or forked. Keep your exports, and alert your security team.' : '';
  let [size, kept, newer] = [0, 0, true];
  try {
    const log = parseVerifierKey(logKey);
    const [from, to] = [saved ? checkpointSize(saved) : 0, checkpointSize(checkpoint)];
    const read = saved && from < to ? consistencyProofIn(witnessed.consistency, from, to) : { proof: [] };
    if ('reason' in read) return { refused: `REFUSED: ${read.reason}.${forked} This browser keeps nothing from it.` };
    const result = checkWitness({ ...(saved && { saved }), latest: checkpoint, proof: read.proof, logKey: log, origin: checkpointOrigin(log.name, orgId) });
    if (!result.ok) return { refused: `REFUSED: ${result.reason}.${forked} This browser keeps nothing from it.` };
    [size, kept, newer] = [to, from, result.newer];
  } catch (error) {
    if (error instanceof InvalidNote) return { refused: `REFUSED: the server's checkpoint or the one this browser kept is malformed: ${error.message}. This browser keeps nothing from it.` };
    throw error;
  }
  const { cosigned, shortfall } = witnessedBy(checkpoint, { witnesses, quorum });
  if (shortfall) {
    return { refused: `REFUSED: ${shortfall}. The server's checkpoint of size ${size} is not witnessed as the one history others see; this browser keeps nothing from it. Ask the operator, and compare with other auditors.` };
  }
  // The checkpoint kept, when the server serves an older one again (of the same tree): the export must extend the newer.
  // The one kept, proven a prefix of a newer one, still dates the events after it (event-times.ts).
  const trusted = newer || !saved ? checkpoint : saved;
  return { trusted, ...(saved && trusted !== saved && { earlier: saved }), cosigned: { size, ...(saved && { kept }), by: cosigned, of: witnesses.length, quorum } };
}

function verify(task: VerificationTask, tell: (message: VerificationMessage) => void): VerificationMessage {
  const { logKey, exported } = task;
  const witnessing = task.witnessed && witness({ ...task, witnessed: task.witnessed });
  if (witnessing && 'refused' in witnessing) return witnessing;
  const trustedCheckpoint = witnessing?.trusted ?? task.trustedCheckpoint;
  const earlierCheckpoint = witnessing?.earlier;
  let verifier: AuditVerifier;
  try {
    verifier = new AuditVerifier({ logKey: parseVerifierKey(logKey), ...(trustedCheckpoint && { trustedCheckpoint }), ...(earlierCheckpoint && { earlierCheckpoint }) });
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
  return { verdict: verifier.finish(), ...(witnessing && { cosigned: witnessing.cosigned }) };
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
