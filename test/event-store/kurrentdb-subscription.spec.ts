import type { RecordedEvent } from '../../src/event-store/event-store.port';
import { ResubscribingSubscription, type LogFeed, type ResubscribePolicy } from '../../src/event-store/kurrentdb/resubscribing-subscription';
import { newEvent } from './event-factory';

/*
 * The resubscribe loop of the KurrentDB adapter, driven by scripted feeds: no KurrentDB runs
 * here, and a real server cannot be told to drop a subscription at a chosen event anyway. The
 * feeds behave like the server's: they start AT the position asked for (inclusive).
 */

const BASE = 2n ** 53n; // BASE + 1n is not a double: positions must stay bigint all the way.

const log: RecordedEvent[] = Array.from({ length: 6 }, (_, i) => ({
  ...newEvent('Tested', { i }),
  stream: 'log',
  revision: BigInt(i),
  position: BASE + BigInt(i),
}));

type Ending = { kind: 'wait' } | { kind: 'end' } | { kind: 'fail'; error: unknown; closeFails?: boolean };

/** A feed of `events` then `ending`; counts how many events were pulled from it. */
class ScriptedFeed implements LogFeed {
  pulled = 0;
  private closed = false;
  private release!: () => void;
  private readonly closing = new Promise<void>((resolve) => (this.release = resolve));

  constructor(
    private readonly events: RecordedEvent[],
    private readonly ending: Ending,
  ) {}

  async *[Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    for (const event of this.events) {
      if (this.closed) return;
      this.pulled++;
      yield event;
    }
    if (this.ending.kind === 'wait') await this.closing;
    if (this.ending.kind === 'fail' && !this.closed) throw this.ending.error;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.release();
    // As the client's unsubscribe does for a subscription whose stream never opened (no node found).
    if (this.ending.kind === 'fail' && this.ending.closeFails) throw this.ending.error;
  }
}

/** Opens one scripted feed per (re)subscription, from the log AT the position asked for. */
function scriptedServer(endings: Ending[], take: number[] = []) {
  const opened: (bigint | undefined)[] = [];
  const feeds: ScriptedFeed[] = [];
  const open = (after: bigint | undefined): LogFeed => {
    const n = opened.length;
    opened.push(after);
    const from = log.filter((event) => after === undefined || event.position >= after);
    const feed = new ScriptedFeed(from.slice(0, take[n] ?? from.length), endings[n] ?? { kind: 'wait' });
    feeds.push(feed);
    return feed;
  };
  return { open, opened, feeds };
}

const transient = Object.assign(new Error('14 UNAVAILABLE: connection reset'), { code: 14 });

function policy(retries: unknown[] = []): ResubscribePolicy {
  return {
    backoff: { initialMs: 1, maxMs: 1 },
    isTransient: (error) => error === transient,
    onRetry: (error) => retries.push(error),
  };
}

function condition(done: () => boolean): { check: () => void; reached: Promise<void> } {
  let resolve!: () => void;
  const reached = new Promise<void>((r) => (resolve = r));
  return { check: () => done() && resolve(), reached };
}

describe('ResubscribingSubscription', () => {
  it('resubscribes after a drop from the last handled position, delivering each event once and in order', async () => {
    const server = scriptedServer([{ kind: 'fail', error: transient }, { kind: 'end' }], [3, 2]);
    const retries: unknown[] = [];
    const received: RecordedEvent[] = [];
    const all = condition(() => received.length === log.length);

    const subscription = new ResubscribingSubscription(
      server.open,
      {
        handler: (event) => {
          received.push(event);
          all.check();
        },
      },
      policy(retries),
    );
    await all.reached;
    await subscription.stop();

    expect(received.map((event) => event.position)).toEqual(log.map((event) => event.position));
    // Dropped after BASE+2; the next feed (from BASE+2 again) ended after BASE+3; each resumed AT the last handled event.
    expect(server.opened).toEqual([undefined, BASE + 2n, BASE + 3n]);
    expect(retries).toEqual([transient, expect.any(Error)]);
  });

  it('starts after the checkpoint, exclusive, though the feed starts at it', async () => {
    const server = scriptedServer([{ kind: 'wait' }]);
    const received: bigint[] = [];
    const rest = condition(() => received.length === log.length - 1);

    const subscription = new ResubscribingSubscription(
      server.open,
      {
        after: BASE,
        handler: (event) => {
          received.push(event.position);
          rest.check();
        },
      },
      policy(),
    );
    await rest.reached;
    await subscription.stop();

    expect(server.opened).toEqual([BASE]);
    expect(received[0]).toBe(BASE + 1n);
  });

  it('pulls the next event only after the handler has finished with the last one', async () => {
    const server = scriptedServer([{ kind: 'wait' }]);
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    const entered = condition(() => true);
    const handled: bigint[] = [];
    const two = condition(() => handled.length === 2);

    const subscription = new ResubscribingSubscription(
      server.open,
      {
        handler: async (event) => {
          entered.check();
          if (handled.length === 0) await blocked;
          handled.push(event.revision);
          two.check();
        },
      },
      policy(),
    );
    await entered.reached;
    await new Promise((resolve) => setImmediate(resolve));
    expect(server.feeds[0].pulled).toBe(1);

    release();
    await two.reached;
    await subscription.stop();
    expect(handled).toEqual([0n, 1n]);
  });

  it('resubscribes after a feed that failed and cannot be closed either, and stops cleanly', async () => {
    const server = scriptedServer([{ kind: 'fail', error: transient, closeFails: true }, { kind: 'fail', error: transient, closeFails: true }], [0, 1]);
    const retries: unknown[] = [];
    const received: bigint[] = [];
    const three = condition(() => received.length === 3);

    const subscription = new ResubscribingSubscription(
      server.open,
      {
        handler: (event) => {
          received.push(event.position);
          three.check();
        },
      },
      policy(retries),
    );
    await three.reached;
    await subscription.stop();

    expect(received).toEqual([BASE, BASE + 1n, BASE + 2n]);
    expect(retries).toEqual([transient, transient]);
  });

  it('gives up on an error that is not transient, through onError, without resubscribing', async () => {
    const refused = new Error('access denied');
    const server = scriptedServer([{ kind: 'fail', error: refused }], [1]);
    let reported: unknown;
    const gaveUp = condition(() => reported !== undefined);

    const subscription = new ResubscribingSubscription(
      server.open,
      { handler: () => undefined, onError: (error) => ((reported = error), gaveUp.check()) },
      policy(),
    );
    await gaveUp.reached;
    await subscription.finished;

    expect(reported).toBe(refused);
    expect(server.opened).toHaveLength(1);
    expect(server.feeds[0].pulled).toBe(1);
  });

  it('stops at a failing handler and reports its error; the event is not handled again', async () => {
    const server = scriptedServer([{ kind: 'wait' }]);
    const failure = new Error('projection broke');
    const calls: bigint[] = [];
    let reported: unknown;

    const subscription = new ResubscribingSubscription(
      server.open,
      {
        handler: (event) => {
          calls.push(event.revision);
          if (event.revision === 1n) throw failure;
        },
        onError: (error) => (reported = error),
      },
      policy(),
    );
    await subscription.finished;

    expect(reported).toBe(failure);
    expect(calls).toEqual([0n, 1n]);
    expect(server.opened).toHaveLength(1);
  });

  it('stops during the wait before resubscribing, without opening another feed', async () => {
    const server = scriptedServer([{ kind: 'fail', error: transient }], [0]);
    const retried = condition(() => true);
    const subscription = new ResubscribingSubscription(
      server.open,
      { handler: () => undefined },
      { ...policy(), backoff: { initialMs: 3_600_000, maxMs: 3_600_000 }, onRetry: () => retried.check() },
    );
    await retried.reached;

    await subscription.stop();

    expect(server.opened).toHaveLength(1);
  });
});
