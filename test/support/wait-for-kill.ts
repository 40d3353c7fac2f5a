/**
 * Blocks this child process's thread until the test's SIGKILL ends it. A promise that never
 * settles would not do: with no timer or socket left open Node exits, code 0, before the kill
 * lands (seen in CI, the notifier's crash test).
 */
export function waitForKill(): never {
  for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
}
