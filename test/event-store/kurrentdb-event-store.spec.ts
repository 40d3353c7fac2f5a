import { KurrentDbEventStore } from '../../src/event-store/kurrentdb/kurrentdb-event-store';
import { describeEventStoreContract } from './event-store.contract';

/*
 * The event-store contract against a real KurrentDB/EventStoreDB (25.1+ for multi-stream
 * appends). No server runs in CI here, so it runs only when EVENTSTORE_URL names one, e.g.
 *   EVENTSTORE_URL='kurrentdb://127.0.0.1:2113?tls=false' npx jest test/event-store/kurrentdb-event-store.spec.ts
 */
const url = process.env.EVENTSTORE_URL;

if (url) {
  const shown = url.replace(/\/\/[^@/]*@/, '//***@');
  describeEventStoreContract(`KurrentDB at ${shown}`, async () => new KurrentDbEventStore(url));
} else {
  process.stderr.write('SKIPPED: KurrentDB event-store contract, EVENTSTORE_URL is not set (no KurrentDB server to run it against)\n');
  describe.skip('EventStore contract: KurrentDB (set EVENTSTORE_URL to run it)', () => {
    it('runs the contract suite against the server', () => undefined);
  });
}
