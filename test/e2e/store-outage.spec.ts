import { closedPort } from '../support/closed-port';
import { call } from '../support/api-client';
import { serverForSuite } from '../support/server-for-suite';

/** With its event store down (a KurrentDB URL nobody answers), the API says so: 503, never 500. */
describe('event store down', () => {
  const suite = serverForSuite(async () => ({ EVENTSTORE_URL: `kurrentdb://127.0.0.1:${await closedPort()}?tls=false`, ROLES: 'api' }));

  it('answers commands with 503 problem+json and Retry-After, and is not ready, while still live', async () => {
    const reply = await call(suite.server, 'POST', '/v1/orgs', suite.server.bootstrapToken, {
      name: 'Acme',
      superAdmin: { agentId: 'alice', email: 'alice@example.com', displayName: 'Alice' },
    });
    expect(reply.status).toBe(503);
    expect(reply.contentType).toContain('application/problem+json');
    expect(reply.body.code).toBe('STORE_UNAVAILABLE');
    const ready = await call(suite.server, 'GET', '/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.contentType).toContain('application/problem+json');
    expect(ready.body.code).toBe('NOT_READY');
    // Names the store that is down and why; the read models answer, but whether they caught up with the log is unknown without it.
    expect(ready.body.detail).toMatch(/^Not ready: eventStore \(.+\), readModels \(cannot tell whether they have caught up with the log: .+\) down\.$/);
    expect(ready.body.checks.readModels.status).toBe('down');
    expect((await call(suite.server, 'GET', '/health/live')).status).toBe(200);
  });
});
