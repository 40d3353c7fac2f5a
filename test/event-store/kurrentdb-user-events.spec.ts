import type { AllStreamResolvedEvent } from '@kurrent/kurrentdb-client';
import { encodeMetadata } from '../../src/event-store/kurrentdb/kurrentdb-event-mapping';
import { userEventsAfter, type ReadAllEntries } from '../../src/event-store/kurrentdb/kurrentdb-user-events';
import { newEvent } from './event-factory';

/** An entry of $all as the client hands it over. */
function entry(position: bigint, streamId: string, type: string): AllStreamResolvedEvent {
  const source = newEvent(type);
  const event = { streamId, id: source.id, isJson: true, revision: 0n, type, created: new Date(0), data: {}, metadata: encodeMetadata(source), position: { commit: position, prepare: position } };
  return { event: event as AllStreamResolvedEvent['event'], commitPosition: position };
}

/**
 * $all as the server reads it through the adapter's filter, which leaves out `$` types only: from a
 * position inclusively, at most maxCount entries. A `$` stream's event of a plain type passes it.
 */
const LOG = [
  entry(100n, 'agent-o~a', 'KeyRequested'),
  entry(200n, '$connectors/c', 'ConnectorStarted'),
  entry(300n, 'agent-o~a', 'KeyApproved'),
  entry(400n, '$connectors/c', 'ConnectorStopped'),
  entry(500n, '$connectors/c', 'ConnectorStarted'),
  entry(600n, 'org-o', 'AgentAdded'),
  entry(700n, 'org-o', 'AgentRemoved'),
];

function server(log = LOG): { read: ReadAllEntries; reads: Array<[bigint | undefined, number]> } {
  const reads: Array<[bigint | undefined, number]> = [];
  const read: ReadAllEntries = async function* (from, maxCount) {
    reads.push([from, maxCount]);
    yield* log.filter(({ event }) => from === undefined || event!.position!.commit >= from).slice(0, maxCount);
  };
  return { read, reads };
}

async function positions(read: ReadAllEntries, after: bigint | undefined, limit: number): Promise<bigint[]> {
  const found: bigint[] = [];
  for await (const event of userEventsAfter(read, after, limit)) found.push(event.position!.commit);
  return found;
}

describe('ztkeys events of $all after a position (KurrentDB)', () => {
  it('gives a full page whenever that many follow, reading on past the entries it leaves out', async () => {
    const { read } = server();
    expect(await positions(read, 100n, 2)).toEqual([300n, 600n]);
    expect(await positions(read, 100n, 3)).toEqual([300n, 600n, 700n]);
    expect(await positions(read, 300n, 1)).toEqual([600n]);
    expect(await positions(read, undefined, 4)).toEqual([100n, 300n, 600n, 700n]);
  });

  it('gives fewer only where the log ends, and nothing after its last event', async () => {
    const { read } = server();
    expect(await positions(read, 100n, 10)).toEqual([300n, 600n, 700n]);
    expect(await positions(read, 600n, 5)).toEqual([700n]);
    expect(await positions(read, 700n, 5)).toEqual([]);
    expect(await positions(server([]).read, undefined, 5)).toEqual([]);
  });

  it('asks the server for one page when nothing is left out, and reads no further than the page', async () => {
    const { read, reads } = server(LOG.filter(({ event }) => !event!.streamId.startsWith('$')));
    expect(await positions(read, 100n, 2)).toEqual([300n, 600n]);
    expect(reads).toEqual([[100n, 3]]);
  });
});
