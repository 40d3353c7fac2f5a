import { withoutPasswords } from './without-passwords';

/** The Retry-After of a store's 503: seconds a client waits before it asks again. */
export const STORE_RETRY_AFTER_SECONDS = 2;

/**
 * A store (event log, read models) cannot be reached or answered too late. Answered 503 with
 * Retry-After, its message the detail: a URL in the cause's message is named without its password.
 */
export class StoreUnavailable extends Error {
  constructor(
    readonly store: string,
    cause: unknown,
  ) {
    super(`${store} is unavailable: ${withoutPasswords(messageOf(cause))}`, { cause });
    this.name = 'StoreUnavailable';
  }
}

/** An error's message, also for errors made in another realm (not `instanceof Error` here). */
function messageOf(cause: unknown): string {
  const message = (cause as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : String(cause);
}
