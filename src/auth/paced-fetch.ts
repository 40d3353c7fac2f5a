import type { FetchImplementation } from 'jose';

/** What the key set's fetch itself threw (no answer, refused while paused), as it threw it. */
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

/**
 * The fetch jose's remote key set uses, asking at most once per `pauseMs`. jose asks again once its
 * set is 10 minutes old, or a token names a key it lacks 30 s after the last fetch; but after a
 * failed fetch, for the very next token: while the provider failed, every request with a token (a
 * forged one will do: the key it names is looked up before its signature) was one more request to
 * it. Within the pause the last fetch failed (a fetched set holds jose 30 s), so the set is refused
 * at once: a 503 whose Retry-After is the pause.
 */
export function pacedFetch(pauseMs: number): FetchImplementation {
  let last = -Infinity;
  return (url, options) => {
    const at = performance.now();
    if (at - last < pauseMs) return Promise.reject(new Error(`it failed ${Math.round(at - last)} ms ago and is asked for again ${pauseMs} ms after a failure`)).catch(failed);
    last = at;
    return fetch(url, options).catch(failed);
  };
}
