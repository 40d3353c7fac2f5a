import { createServer, type AddressInfo } from 'node:net';
import { closedPort } from '../support/closed-port';
import { ConcurrencyConflict } from '../../src/event-store/event-store.port';
import { StoreUnavailable } from '../../src/shared/store-unavailable';
import { isTransientKurrentError } from '../../src/event-store/kurrentdb/kurrentdb-errors';
import { KurrentDbEventStore } from '../../src/event-store/kurrentdb/kurrentdb-event-store';
import { openEventStore } from '../../src/event-store/open-event-store';
import { loadConfig } from '../../src/config/app-config';
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
  /** The same port as a cluster's seed, given up on after one quick round of gossip. */
  const clusterUrl = () => `${url.replace('esdb://', 'kurrentdb+discover://')}&maxDiscoverAttempts=1&discoveryInterval=1&gossipTimeout=1`;

  it('starts when the server does not answer whether it can hold the log (an outage, not a misconfiguration): each write is StoreUnavailable until it answers', async () => {
    const store = await openEventStore(loadConfig({ EVENTSTORE_URL: url, DATA_DIR: '/nonexistent' }));
    try {
      await expect(store.append([{ stream: 'org-1', expected: 'no_stream', events: [newEvent()] }])).rejects.toThrow(StoreUnavailable);
    } finally {
      await store.close();
    }
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

  it('fails every read of the log as unavailable (503): head, page, count and event at a position', async () => {
    const store = new KurrentDbEventStore(url);
    await expect(store.headPosition()).rejects.toBeInstanceOf(StoreUnavailable);
    await expect(store.readAll(undefined, 10)).rejects.toBeInstanceOf(StoreUnavailable);
    await expect(store.backlog(5n, 10)).rejects.toBeInstanceOf(StoreUnavailable);
    await expect(store.eventAt(5n)).rejects.toBeInstanceOf(StoreUnavailable);
    await store.close();
  });

  it('fails an append as unavailable when no node of a cluster answers discovery', async () => {
    const store = new KurrentDbEventStore(clusterUrl());
    const single = store.append([{ stream: 'org-1', expected: 'no_stream', events: [newEvent()] }]);
    await expect(single).rejects.toBeInstanceOf(StoreUnavailable);
    const guarded = store.append([{ stream: 'org-1', expected: 'no_stream', events: [newEvent()] }], [{ stream: 'agent-1', expected: 0n }]);
    await expect(guarded).rejects.toBeInstanceOf(StoreUnavailable);
    await store.close();
  });

  it('asks the cluster again at the next append after a failed discovery, so writes come back with it', async () => {
    // A seed that takes each connection and hangs up: every round of gossip fails, and is seen.
    let connections = 0;
    const seed = createServer((socket) => (connections++, socket.destroy()));
    await new Promise<void>((resolve) => seed.listen(0, '127.0.0.1', resolve));
    const { port } = seed.address() as AddressInfo;
    const store = new KurrentDbEventStore(`kurrentdb+discover://127.0.0.1:${port}?tls=false&maxDiscoverAttempts=1&discoveryInterval=1&gossipTimeout=500`);
    const asked: number[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const before = connections;
      await expect(store.append([{ stream: 'org-1', expected: 'no_stream', events: [newEvent()] }])).rejects.toBeInstanceOf(StoreUnavailable);
      asked.push(connections - before);
    }
    await store.close();
    await new Promise((resolve) => seed.close(resolve));
    expect(asked.every((count) => count > 0)).toBe(true);
  });

  it.each([
    ['one node', () => url],
    ['a cluster whose nodes do not answer discovery', () => clusterUrl()],
  ])('keeps resubscribing after each drop, never giving up, until closed: %s', async (_, target) => {
    const drops: unknown[] = [];
    let gaveUp: unknown;
    let resolveEnough!: () => void;
    const enough = new Promise<void>((resolve) => (resolveEnough = resolve));
    const store = new KurrentDbEventStore(target(), {
      resubscribeBackoff: { initialMs: 1, maxMs: 5 },
      onSubscriptionDropped: (error) => {
        drops.push(error);
        if (drops.length === 3) resolveEnough();
      },
    });
    store.subscribeToAll({ handler: () => undefined, onError: (error) => ((gaveUp = error), resolveEnough()) });

    await enough;
    await store.close();

    expect(gaveUp).toBeUndefined();
    expect(drops.every(isTransientKurrentError)).toBe(true);
    expect(() => store.subscribeToAll({ handler: () => undefined })).toThrow(/closed/);
  });
});
