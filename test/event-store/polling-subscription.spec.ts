import type { RecordedEvent } from '../../src/event-store/event-store.port';
import { PollingSubscription, type LogReader } from '../../src/event-store/sqlite/polling-subscription';

/** A log in memory whose reads are timed by jest's fake clock: when each read happened, in ms. */
function logInMemory() {
  const events: RecordedEvent[] = [];
  const readsAt: number[] = [];
  const reader: LogReader = {
    readBatch: (after, limit) => {
      readsAt.push(Date.now());
      return events.filter((event) => after === undefined || event.position > after).slice(0, limit);
    },
    isTransient: () => false,
  };
  const append = () => {
    const position = BigInt(events.length + 1);
    events.push({ id: `e${position}`, stream: 's', revision: position - 1n, position, type: 'Tested', schemaVersion: 1, data: {}, metadata: {} } as unknown as RecordedEvent);
  };
  return { reader, readsAt, append };
}

describe('PollingSubscription', () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  it('backs off while the log stays still, from 5 ms up to its poll interval, and polls fast again once it finds events', async () => {
    const log = logInMemory();
    const delivered: string[] = [];
    const subscription = new PollingSubscription(log.reader, { handler: (event) => void delivered.push(event.id) }, 100);
    await jest.advanceTimersByTimeAsync(1000);
    // 0, then waits of 5, 10, 20, 40, 80, then 100 each: 14 reads in a second, where a fixed 5 ms poll read 200 times.
    expect(log.readsAt.slice(0, 8)).toEqual([0, 5, 15, 35, 75, 155, 255, 355]);
    expect(log.readsAt).toHaveLength(14);

    // Another process appends: found at the next poll, then the waits start again from 5 ms.
    log.append();
    log.readsAt.length = 0;
    await jest.advanceTimersByTimeAsync(200);
    expect(delivered).toEqual(['e1']);
    // The read that found it, the read right after the delivery, then waits of 5, 10, 20 ms.
    const waits = log.readsAt.slice(2, 5).map((at, i) => at - log.readsAt[i + 1]);
    expect(waits).toEqual([5, 10, 20]);

    // A commit of this process wakes it at once, whatever the wait it is in.
    await jest.advanceTimersByTimeAsync(1000);
    log.append();
    subscription.notify();
    await jest.advanceTimersByTimeAsync(0);
    expect(delivered).toEqual(['e1', 'e2']);
    await subscription.stop();
  });
});
