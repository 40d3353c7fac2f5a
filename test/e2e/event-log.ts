import type { RecordedEvent } from '../../src/event-store/event-store.port';
import type { TestServer } from '../support/test-server';

const PAGE = 1000;

/** Every event of the log (of one org when given), in log order, straight from the event store. */
export async function loggedEvents(server: TestServer, orgId?: string): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  let after: bigint | undefined;
  for (;;) {
    const page = await server.eventStore.readAll(after, PAGE);
    events.push(...page);
    if (page.length < PAGE) break;
    after = page[page.length - 1].position;
  }
  return orgId === undefined ? events : events.filter((event) => event.metadata.orgId === orgId);
}

/** Events of `type` about one key request. */
export const eventsOfRequest = (events: RecordedEvent[], requestId: string, ...types: string[]): RecordedEvent[] =>
  events.filter((event) => types.includes(event.type) && (event.data as { requestId?: string }).requestId === requestId);
