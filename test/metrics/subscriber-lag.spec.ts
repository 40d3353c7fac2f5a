import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { PositionNotInLog } from '../../src/event-store/position-not-in-log';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { LAG_COUNT_CAP, SubscriberLag } from '../../src/metrics/subscriber-lag';
import { newEvent, uniqueStream } from '../event-store/event-factory';

const value = async (registry: Registry, name: string, subscriber: string) =>
  (await registry.getSingleMetric(name)!.get()).values.find((entry) => entry.labels.subscriber === subscriber)?.value;

describe('subscriber lag', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ztkeys-lag-'));
  const store = new SqliteEventStore({ path: join(dir, 'events.sqlite') });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('measures events not applied yet and how long the oldest has waited; 0 once caught up; nothing once stopped', async () => {
    const registry = new Registry();
    const lag = new SubscriberLag(registry, store);
    const occurredAt = new Date(Date.now() - 90_000).toISOString();
    const events = [1, 2, 3].map(() => ({ ...newEvent(), metadata: { ...newEvent().metadata, occurredAt } }));
    const { position: head } = await store.append([{ stream: uniqueStream('lag'), expected: 'no_stream', events }]);
    let checkpoint: bigint | undefined;
    const stop = lag.follow('projection:test', () => checkpoint);

    expect(await value(registry, 'ztkeys_subscriber_lag_events', 'projection:test')).toBe(3);
    expect(await value(registry, 'ztkeys_subscriber_lag_seconds', 'projection:test')).toBeGreaterThanOrEqual(90);

    checkpoint = head - 1n;
    expect(await value(registry, 'ztkeys_subscriber_lag_events', 'projection:test')).toBe(1);

    checkpoint = head;
    expect(await value(registry, 'ztkeys_subscriber_lag_events', 'projection:test')).toBe(0);
    expect(await value(registry, 'ztkeys_subscriber_lag_seconds', 'projection:test')).toBe(0);

    stop();
    expect(await value(registry, 'ztkeys_subscriber_lag_events', 'projection:test')).toBeUndefined();
  });

  it('counts once a scrape for both gauges and for every subscriber at the same position', async () => {
    const { position } = await store.append([{ stream: uniqueStream('lag'), expected: 'no_stream', events: [newEvent(), newEvent()] }]);
    const counted: number[] = [];
    const registry = new Registry();
    const lag = new SubscriberLag(registry, {
      headPosition: () => store.headPosition(),
      backlog: (after, cap) => {
        counted.push(cap);
        return store.backlog(after, cap);
      },
    });
    lag.follow('projection:a', () => position - 2n);
    lag.follow('projection:b', () => position - 2n);
    lag.follow('notifier', () => position - 1n);

    const scraped = await registry.metrics();
    expect(scraped).toContain('ztkeys_subscriber_lag_events{subscriber="projection:b"} 2');
    expect(scraped).toContain('ztkeys_subscriber_lag_events{subscriber="notifier"} 1');
    expect(counted).toEqual([LAG_COUNT_CAP, LAG_COUNT_CAP]);
  });

  it('leaves out a subscriber at a position the store refuses to read from (a checkpoint of another copy of the log, as KurrentDB refuses one inside a record), still measuring the others', async () => {
    const { position } = await store.append([{ stream: uniqueStream('lag'), expected: 'no_stream', events: [newEvent(), newEvent()] }]);
    const refused = position - 1n;
    const registry = new Registry();
    const lag = new SubscriberLag(registry, {
      headPosition: () => store.headPosition(),
      backlog: (after, cap) => (after === refused ? Promise.reject(new PositionNotInLog(refused, new Error('Trying to read from an invalid position.'))) : store.backlog(after, cap)),
    });
    lag.follow('projection:diverged', () => refused);
    lag.follow('notifier', () => position - 2n);

    expect(await value(registry, 'ztkeys_subscriber_lag_events', 'notifier')).toBe(2);
    expect(await value(registry, 'ztkeys_subscriber_lag_seconds', 'notifier')).toBeGreaterThanOrEqual(0);
    expect(await value(registry, 'ztkeys_subscriber_lag_events', 'projection:diverged')).toBeUndefined();
    expect(await value(registry, 'ztkeys_subscriber_lag_seconds', 'projection:diverged')).toBeUndefined();
  });
});
