import { closedPort } from '../support/closed-port';
import { ConcurrencyConflict } from '../../src/event-store/event-store.port';
import { StoreUnavailable } from '../../src/shared/store-unavailable';
import { isTransientKurrentError } from '../../src/event-store/kurrentdb/kurrentdb-errors';
import { KurrentDbEventStore } from '../../src/event-store/kurrentdb/kurrentdb-event-store';
import { newEvent } from './event-factory';

/*
 * The adapter with its server down, for real: the client talks to a loopback port nobody
 * listens on. What it must do then needs no KurrentDB: answer not ready, fail writes without
 * calling them conflicts, and keep resubscribing until stopped.
 */

describe('KurrentDbEventStore with its server down', () => {
  let url: string;

  beforeAll(async () => {
    url = `esdb://127.0.0.1:${await closedPort()}?tls=false`;
  });

  it('answers ping with false', async () => {
    const store = new KurrentDbEventStore(url, { pingTimeoutMs: 10_000 });
    expect(await store.ping()).toBe(false);
    await store.close();
    expect(await store.ping()).toBe(false);
  });

  it('fails an append and a read as unavailable (503), not as a conflict', async () => {
    const store = new KurrentDbEventStore(url);
    const error = await store.append([{ stream: 'org-1', expected: 'no_stream', events: [newEvent()] }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailable);
    expect(error).not.toBeInstanceOf(ConcurrencyConflict);
    await expect(store.readStream('org-1')).rejects.toBeInstanceOf(StoreUnavailable);
    await store.close();
  });

  it('keeps resubscribing after each drop, never giving up, until closed', async () => {
    const drops: unknown[] = [];
    let resolveThree!: () => void;
    const three = new Promise<void>((resolve) => (resolveThree = resolve));
    const store = new KurrentDbEventStore(url, {
      resubscribeBackoff: { initialMs: 1, maxMs: 5 },
      onSubscriptionDropped: (error) => {
        drops.push(error);
        if (drops.length === 3) resolveThree();
      },
    });
    let gaveUp: unknown;
    store.subscribeToAll({ handler: () => undefined, onError: (error) => (gaveUp = error) });

    await three;
    await store.close();

    expect(drops.every(isTransientKurrentError)).toBe(true);
    expect(gaveUp).toBeUndefined();
    expect(() => store.subscribeToAll({ handler: () => undefined })).toThrow(/closed/);
  });
});
