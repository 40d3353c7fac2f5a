import { InProcessLease } from '../../src/leases/in-process-lease';
import type { HeldLease } from '../../src/leases/lease.port';

const settled = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('InProcessLease', () => {
  it('gives it to one contender at a time, the next one on release', async () => {
    const lease = new InProcessLease();
    const holders: HeldLease[] = [];
    const acquiring = [lease.acquire(), lease.acquire(), lease.acquire()].map((p) => p.then((held) => holders.push(held)));
    await settled();
    expect(holders).toHaveLength(1);

    await holders[0].release();
    await holders[0].lost;
    await settled();
    expect(holders).toHaveLength(2);

    await holders[1].release();
    await Promise.all(acquiring);
    expect(new Set(holders.map((held) => held.owner)).size).toBe(3);
    await holders[2].release();
  });

  it('ignores a second release of the same holder', async () => {
    const lease = new InProcessLease();
    const first = await lease.acquire();
    await first.release();
    const second = await lease.acquire();
    let third = false;
    void lease.acquire().then(() => (third = true));

    await first.release();
    await settled();

    expect(third).toBe(false);
    await second.release();
  });

  it('drops a waiting contender whose signal aborts', async () => {
    const lease = new InProcessLease();
    const holder = await lease.acquire();
    const controller = new AbortController();
    const waiting = lease.acquire(controller.signal);
    const reason = new Error('shutting down');

    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);

    await holder.release();
    const next = await lease.acquire();
    expect(next.owner).not.toBe(holder.owner);
    await next.release();
  });
});
