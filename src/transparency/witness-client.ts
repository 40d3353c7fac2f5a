import type { Hash } from './merkle-tree';

/** A witness's answer to add-checkpoint (C2SP tlog-witness). */
export type WitnessAnswer =
  | { kind: 'cosigned'; lines: string }
  /** 409 text/x.tlog.size: the witness holds another size; submit again from it. */
  | { kind: 'other-size'; size: number }
  | { kind: 'refused'; status: number; detail: string };

/** A witness answers a cosignature line, a size or a problem: far less than this. */
export const MAX_WITNESS_ANSWER_BYTES = 64 * 1024;

/**
 * The answer's body, read until `signal` aborts and up to MAX_WITNESS_ANSWER_BYTES: a witness is
 * another party's server, and one whose answer does not end (broken or hostile) was read whole,
 * past the timeout, filling the server's memory while the checkpoint waited.
 */
async function answerText(response: Response, signal: AbortSignal): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const stop = (): void => void reader.cancel().catch(() => undefined);
  signal.addEventListener('abort', stop, { once: true });
  try {
    const chunks: Uint8Array[] = [];
    let length = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (signal.aborted) throw new Error(`its answer did not end within the timeout`);
      if (done) return Buffer.concat(chunks).toString('utf8');
      length += value.length;
      if (length > MAX_WITNESS_ANSWER_BYTES) {
        stop();
        throw new Error(`its answer is longer than ${MAX_WITNESS_ANSWER_BYTES} bytes`);
      }
      chunks.push(value);
    }
  } finally {
    signal.removeEventListener('abort', stop);
  }
}

/** POST {url}/add-checkpoint with `old`, the proof and the note; throws when the witness does not answer, whole, within `timeoutMs`. */
export async function submitCheckpoint(url: string, oldSize: number, proof: Hash[], note: string, timeoutMs: number): Promise<WitnessAnswer> {
  const body = `old ${oldSize}\n${proof.map((hash) => `${hash.toString('base64')}\n`).join('')}\n${note}`;
  const signal = AbortSignal.timeout(timeoutMs);
  const response = await fetch(`${url}/add-checkpoint`, { method: 'POST', body, signal, redirect: 'error' });
  const text = await answerText(response, signal);
  if (response.status === 200) return { kind: 'cosigned', lines: text };
  const size = /^(0|[1-9][0-9]*)\n$/.exec(text)?.[1];
  if (response.status === 409 && response.headers.get('content-type')?.startsWith('text/x.tlog.size') && size !== undefined) return { kind: 'other-size', size: Number(size) };
  return { kind: 'refused', status: response.status, detail: text.slice(0, 500) };
}
