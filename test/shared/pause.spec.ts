import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pause, WakeUp } from '../../src/shared/pause';

const run = promisify(execFile);

const elapsed = async (run: () => Promise<void>): Promise<number> => {
  const started = performance.now();
  await run();
  return performance.now() - started;
};

describe('pause', () => {
  it('waits the time given when nothing aborts it', async () => {
    expect(await elapsed(() => pause(60, new AbortController().signal))).toBeGreaterThanOrEqual(55);
    expect(await elapsed(() => pause(30))).toBeGreaterThanOrEqual(25);
  });

  it('returns at once, without an error, when the signal aborts during the wait or had aborted before it', async () => {
    const during = new AbortController();
    setTimeout(() => during.abort(new Error('stopping')), 20);
    expect(await elapsed(() => pause(10_000, during.signal))).toBeLessThan(5_000);
    const before = new AbortController();
    before.abort();
    expect(await elapsed(() => pause(10_000, before.signal))).toBeLessThan(5_000);
  });
});

describe('WakeUp', () => {
  it('ends every pause on its signal at the next wake, and a pause begun after the wake waits for the one after', async () => {
    const wakeUp = new WakeUp();
    const first = elapsed(() => pause(10_000, wakeUp.signal));
    const second = elapsed(() => pause(10_000, wakeUp.signal));
    wakeUp.wake();
    expect(await first).toBeLessThan(5_000);
    expect(await second).toBeLessThan(5_000);
    const later = elapsed(() => pause(80, wakeUp.signal));
    expect(await later).toBeGreaterThanOrEqual(75);
  });

  it('lets more sleepers than a signal warns about by default wait on it at once, with no warning', async () => {
    // Node warns on the real process's stderr, which jest's sandbox does not show: a process of its own.
    const script = `
      const { pause, WakeUp } = require(${JSON.stringify(join(__dirname, '../../src/shared/pause.ts'))});
      const wakeUp = new WakeUp();
      const sleepers = Array.from({ length: 32 }, () => pause(10_000, wakeUp.signal));
      wakeUp.wake();
      Promise.all(sleepers).then(() => setImmediate(() => console.log('woken')));
    `;
    const { stdout, stderr } = await run(process.execPath, ['--require', join(__dirname, '../../scripts/register-ts.js'), '-e', script]);
    expect(stdout.trim()).toBe('woken');
    expect(stderr).toBe('');
  });
});
