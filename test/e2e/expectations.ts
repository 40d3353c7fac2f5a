import type { Reply } from '../support/api-client';
import type { TestServer } from '../support/test-server';

/** An RFC 9457 answer with the given status (and code), that says what was wrong. */
export function expectProblem(reply: Reply, status: number, code?: string): void {
  const seen = `${reply.status} ${JSON.stringify(reply.body)}`;
  expect({ status: reply.status, seen }).toEqual({ status, seen });
  expect(reply.contentType).toMatch(/^application\/problem\+json/);
  expect(reply.body).toEqual(expect.objectContaining({ status, type: expect.any(String), title: expect.any(String), code: expect.any(String) }));
  expect(typeof reply.body.detail).toBe('string');
  expect(reply.body.detail.length).toBeGreaterThan(10);
  if (code !== undefined) expect({ code: reply.body.code, seen }).toEqual({ code, seen });
}

/** A successful command answer: the expected status and the global position as a decimal string. */
export function expectAccepted(reply: Reply, status = 200): void {
  const seen = `${reply.status} ${JSON.stringify(reply.body)}`;
  expect({ status: reply.status, seen }).toEqual({ status, seen });
  expect(reply.body.position).toMatch(/^[0-9]+$/);
}

/** Runs `act` and checks that the event log did not move. */
export async function expectNothingWritten<T>(server: TestServer, act: () => Promise<T>): Promise<T> {
  const before = await server.eventStore.headPosition();
  const result = await act();
  expect(await server.eventStore.headPosition()).toBe(before);
  return result;
}
