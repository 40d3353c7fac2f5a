import { TimedOut, within } from '../../src/shared/within';

describe('within: work bounded in time', () => {
  it('gives the work its answer or its error when it settles in time', async () => {
    await expect(within(Promise.resolve('pong'), 1000)).resolves.toBe('pong');
    await expect(within(Promise.reject(new Error('refused')), 1000)).rejects.toThrow('refused');
  });

  it('rejects with TimedOut once the time passes first, naming it', async () => {
    const never = new Promise<never>(() => undefined);
    const started = Date.now();
    const error = await within(never, 50).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(TimedOut);
    expect((error as TimedOut).message).toBe('no answer within 50 ms');
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });
});
