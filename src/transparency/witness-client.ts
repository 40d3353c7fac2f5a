import type { Hash } from './merkle-tree';

/** A witness's answer to add-checkpoint (C2SP tlog-witness). */
export type WitnessAnswer =
  | { kind: 'cosigned'; lines: string }
  /** 409 text/x.tlog.size: the witness holds another size; submit again from it. */
  | { kind: 'other-size'; size: number }
  | { kind: 'refused'; status: number; detail: string };

/** POST {url}/add-checkpoint with `old`, the proof and the note; throws when the witness does not answer within `timeoutMs`. */
export async function submitCheckpoint(url: string, oldSize: number, proof: Hash[], note: string, timeoutMs: number): Promise<WitnessAnswer> {
  const body = `old ${oldSize}\n${proof.map((hash) => `${hash.toString('base64')}\n`).join('')}\n${note}`;
  const response = await fetch(`${url}/add-checkpoint`, { method: 'POST', body, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  const text = await response.text();
  if (response.status === 200) return { kind: 'cosigned', lines: text };
  const size = /^(0|[1-9][0-9]*)\n$/.exec(text)?.[1];
  if (response.status === 409 && response.headers.get('content-type')?.startsWith('text/x.tlog.size') && size !== undefined) return { kind: 'other-size', size: Number(size) };
  return { kind: 'refused', status: response.status, detail: text.slice(0, 500) };
}
