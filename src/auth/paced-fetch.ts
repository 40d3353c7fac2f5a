import type { FetchImplementation } from 'jose';

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
    if (at - last < pauseMs) return Promise.reject(new Error(`it failed ${Math.round(at - last)} ms ago and is asked for again ${pauseMs} ms after a failure`));
    last = at;
    return fetch(url, options);
  };
}
