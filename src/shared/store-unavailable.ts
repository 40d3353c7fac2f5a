/** A store (event log, read models) cannot be reached or answered too late. Answered 503 with Retry-After. */
export class StoreUnavailable extends Error {
  constructor(
    readonly store: string,
    cause: unknown,
  ) {
    super(`${store} is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'StoreUnavailable';
  }
}
