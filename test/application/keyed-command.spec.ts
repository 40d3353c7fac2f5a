import { createHash } from 'node:crypto';
import { KeyedCommand } from '../../src/application/idempotency';
import type { RecordedEvent } from '../../src/event-store/event-store.port';
import { requestDigests } from '../../src/http/idempotency-key.decorator';

/** What a command with an Idempotency-Key appended: its events' ids, as the log returns them. */
const recorded = (command: KeyedCommand, count: number): RecordedEvent[] =>
  Array.from({ length: count }, (_, index) => ({ id: command.eventId(index), position: BigInt(10 + index) }) as unknown as RecordedEvent);

describe('KeyedCommand and the request digest', () => {
  const scope = 'create-organization\nbootstrap';
  const path = '/v1/orgs';
  const body = { name: 'Acme', superAdmin: { agentId: 'alice', email: 'alice@example.com' } };
  const reordered = { superAdmin: { email: 'alice@example.com', agentId: 'alice' }, name: 'Acme' };
  const keyed = (sent: unknown) => new KeyedCommand(scope, { key: 'k1', ...requestDigests('POST', path, sent) });

  it('gives a body whose members come in another order the same digest and the same event ids', () => {
    expect(requestDigests('POST', path, reordered).requestDigest).toBe(requestDigests('POST', path, body).requestDigest);
    expect(keyed(reordered).eventId(0)).toBe(keyed(body).eventId(0));
    expect(keyed(reordered).ownEvents(recorded(keyed(body), 2))).toHaveLength(2);
  });

  it('tells another body, method or path apart', () => {
    const digest = requestDigests('POST', path, body).requestDigest;
    expect(requestDigests('POST', path, { ...body, name: 'Acme2' }).requestDigest).not.toBe(digest);
    expect(requestDigests('PUT', path, body).requestDigest).not.toBe(digest);
    expect(requestDigests('POST', `${path}/x`, body).requestDigest).not.toBe(digest);
    expect(() => keyed({ ...body, name: 'Acme2' }).ownEvents(recorded(keyed(body), 2))).toThrow(expect.objectContaining({ code: 'IDEMPOTENCY_KEY_REUSED' }));
  });

  it("finds the events of a key bound by a release that digested the members as sent, for that very request", () => {
    // The digest before 2026-12-08: the body as JSON.stringify writes it.
    const asSent = (sent: unknown) => createHash('sha256').update(`POST ${path}\n${JSON.stringify(sent)}`).digest('base64url');
    const before = new KeyedCommand(scope, { key: 'k1', requestDigest: asSent(reordered) });
    const events = recorded(before, 2);
    expect(keyed(reordered).ownEvents(events).map((event) => event.id)).toEqual(events.map((event) => event.id));
    // Bound then, another order was another request, and stays one.
    expect(() => keyed(body).ownEvents(events)).toThrow(expect.objectContaining({ code: 'IDEMPOTENCY_KEY_REUSED' }));
  });

  it("returns only the request's own events among a stream's", () => {
    const other = new KeyedCommand(scope, { key: 'k2', ...requestDigests('POST', path, body) });
    const own = recorded(keyed(body), 1);
    expect(keyed(body).ownEvents([...recorded(other, 2), ...own])).toEqual(own);
  });
});
