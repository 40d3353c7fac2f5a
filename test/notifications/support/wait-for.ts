import { withDeadline } from '../../support/with-deadline';

/**
 * Polls until `probe` returns something other than undefined/false. The deadline, a probe that
 * hangs included, only turns a hang into a readable failure: no assertion depends on how fast
 * things happen. `watched` adds what else was seen then (a child's last lines).
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 30_000,
  watched?: () => string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no probe answered yet';
  const seen = (): string => (watched ? `${last}; ${watched()}` : last);
  for (;;) {
    // A probe near the deadline still gets a second: a late answer is not taken for a hang.
    const value = await withDeadline(`${what} (a probe that did not answer)`, Math.max(deadline - Date.now(), 1000), Promise.resolve().then(probe), seen);
    if (value !== undefined && value !== false) return value;
    last = `its last probe gave ${String(value)}`;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; ${seen()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A promise with its resolver, to hold something (a handler, an SMTP reply) until the test lets go. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}
