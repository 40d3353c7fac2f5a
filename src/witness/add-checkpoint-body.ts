import { HASH_SIZE, type Hash } from '../transparency/merkle-tree';

/** The body of a tlog-witness add-checkpoint: `old N`, at most 63 proof lines, an empty line, the checkpoint note. */
export interface AddCheckpointBody {
  oldSize: number;
  proof: Hash[];
  note: string;
}

/** tlog-witness: a client MUST NOT send more than 63 consistency proof lines (a tree of 2^63 leaves needs no more). */
export const MAX_PROOF_LINES = 63;

export class MalformedBody extends Error {}

export function parseAddCheckpointBody(body: string): AddCheckpointBody {
  const blank = body.indexOf('\n\n');
  if (blank < 0) throw new MalformedBody('the body is "old <size>", the proof lines, an empty line, then the checkpoint note');
  const [oldLine, ...proofLines] = body.slice(0, blank).split('\n');
  const old = /^old (0|[1-9][0-9]*)$/.exec(oldLine);
  if (!old || !Number.isSafeInteger(Number(old[1]))) throw new MalformedBody('the first line is "old <size>", the size in decimal without leading zeroes');
  if (proofLines.length > MAX_PROOF_LINES) throw new MalformedBody(`a consistency proof has at most ${MAX_PROOF_LINES} lines`);
  const proof = proofLines.map((line, i) => {
    const hash = Buffer.from(line, 'base64');
    if (hash.length !== HASH_SIZE || hash.toString('base64') !== line) throw new MalformedBody(`proof line ${i + 1} is not base64 of ${HASH_SIZE} bytes`);
    return hash;
  });
  return { oldSize: Number(old[1]), proof, note: body.slice(blank + 2) };
}
