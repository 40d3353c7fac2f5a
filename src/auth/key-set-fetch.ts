import type { FetchImplementation } from 'jose';

/**
 * The most of a key set read: a provider's holds a few keys, a few KiB. jose reads an answer whole,
 * parses it and copies it (a 60 MB one took the server's memory up by 290 MB).
 */
export const KEY_SET_MAX_BYTES = 1024 * 1024;

/** What the key set's fetch itself threw (no answer, too large, refused while paused), as it threw it. */
const fetchFailures = new WeakSet<object>();

/**
 * Whether `error` was thrown by a fetch of the key set, rather than by what jose made of a set it
 * got (a key of the set it will not use: an RSA key under 2048 bits, a key that does not import).
 */
export const isFetchFailure = (error: unknown): boolean => typeof error === 'object' && error !== null && fetchFailures.has(error);

const failed = (error: unknown): never => {
  if (typeof error === 'object' && error !== null) fetchFailures.add(error);
  throw error;
};

/** The answer with its body read, up to KEY_SET_MAX_BYTES (an answer other than 200 is jose's to refuse). */
async function bounded(response: Response): Promise<Response> {
  if (response.status !== 200 || !response.body) return response;
  const tooLarge = () => new Error(`its answer is larger than ${KEY_SET_MAX_BYTES} bytes`);
  if (Number(response.headers.get('content-length')) > KEY_SET_MAX_BYTES) {
    await response.body.cancel();
    throw tooLarge();
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > KEY_SET_MAX_BYTES) throw tooLarge();
    chunks.push(chunk);
  }
  return new Response(Buffer.concat(chunks), { status: response.status, headers: response.headers });
}

/**
 * The fetch jose's remote key set uses: its answer bounded, and asked for at most once per
 * `pauseMs`. jose asks again once its set is 10 minutes old, or a token names a key it lacks 30 s
 * after the last fetch; but after a failed fetch, for the very next token: while the provider
 * failed, every request with a token (a forged one will do: the key it names is looked up before
 * its signature) was one more request to it. Within the pause the last fetch failed (a fetched set
 * holds jose 30 s), so the set is refused at once: a 503 whose Retry-After is the pause.
 */
export function keySetFetch(pauseMs: number): FetchImplementation {
  let last = -Infinity;
  return (url, options) => {
    const at = performance.now();
    if (at - last < pauseMs) return Promise.reject(new Error(`the fetch begun ${Math.round(at - last)} ms ago failed, and the next waits until ${pauseMs} ms after it`)).catch(failed);
    last = at;
    return fetch(url, options).then(bounded).catch(failed);
  };
}
