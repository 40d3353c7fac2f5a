import { decode } from '../../src/domain/events/decode';
import type { RecordedEvent } from '../../src/event-store/event-store.port';
import { eventLeafInput, leafInput } from '../../src/transparency/event-leaf';
import { leafHash } from '../../src/transparency/merkle-tree';

/** The worked example of README ("Verifiable audit log", leaf of an event). */
const EVENT = decode<RecordedEvent>({
  id: '0193c3a0-0000-7000-8000-000000000001',
  type: 'AgentAdded',
  schemaVersion: 1,
  stream: 'org-acme',
  revision: 1n,
  position: 42n,
  data: { agentId: 'alice', email: 'alice@example.com', displayName: 'Alice', role: 'ADMIN' },
  metadata: {
    actor: 'root',
    orgId: 'acme',
    occurredAt: '2026-11-30T15:00:00.000Z',
    correlationId: 'c-1',
    causationId: 'c-1',
  },
});

/** Written by hand from RFC 8785: keys sorted by UTF-16 code units at every level, no spaces. */
const LEAF_TEXT =
  '{"actor":"root","causationId":"c-1","correlationId":"c-1",' +
  '"data":{"agentId":"alice","displayName":"Alice","email":"alice@example.com","role":"ADMIN"},' +
  '"eventId":"0193c3a0-0000-7000-8000-000000000001","occurredAt":"2026-11-30T15:00:00.000Z",' +
  '"revision":1,"schemaVersion":1,"stream":"org-acme","subject":"alice","type":"AgentAdded"}';

/** printf '\x00%s' "$LEAF_TEXT" | sha256sum */
const LEAF_HASH = 'afea5663b6a025f2f91aa7dd347db9ef75e89db64f62b071490b15ce949d51dd';

describe('leaf of an event', () => {
  it('is the canonical JSON of the export record without position, as UTF-8', () => {
    expect(eventLeafInput(EVENT).toString('utf8')).toBe(LEAF_TEXT);
    expect(leafHash(eventLeafInput(EVENT)).toString('hex')).toBe(LEAF_HASH);
  });

  it('is the same from an export line, whatever its key order and position', () => {
    const exported = JSON.parse(
      '{"position":7,"type":"AgentAdded","eventId":"0193c3a0-0000-7000-8000-000000000001","schemaVersion":1,"stream":"org-acme","revision":1,' +
        '"actor":"root","subject":"alice","occurredAt":"2026-11-30T15:00:00.000Z","correlationId":"c-1","causationId":"c-1",' +
        '"data":{"email":"alice@example.com","role":"ADMIN","displayName":"Alice","agentId":"alice"}}',
    );
    expect(leafInput(exported).toString('utf8')).toBe(LEAF_TEXT);
  });

  it('changes with any field of the event', () => {
    const base = eventLeafInput(EVENT);
    expect(eventLeafInput(decode<RecordedEvent>({ ...EVENT, data: { ...EVENT.data, role: 'MEMBER' } }))).not.toEqual(base);
    expect(eventLeafInput({ ...EVENT, revision: 2n })).not.toEqual(base);
    expect(eventLeafInput({ ...EVENT, metadata: { ...EVENT.metadata, actor: 'mallory' } })).not.toEqual(base);
    expect(eventLeafInput({ ...EVENT, position: 43n })).toEqual(base);
  });
});
