import { request } from 'node:http';
import { checkedFetch } from '../support/answer-contract';
import { call, type TestAgent } from '../support/api-client';
import { serverForSuite } from '../support/server-for-suite';
import { projectedModels } from '../../src/read-models/projected-models';
import { loggedEvents } from './event-log';

/** The value of one sample of the Prometheus text, or undefined when the series does not exist. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = (match[2] ?? '').split(',');
    if (wanted.every((label) => present.includes(label))) return Number(match[3]);
  }
  return undefined;
}

/** What an on-call engineer reads on /metrics after real traffic: latency by route, appends, conflicts, lag. */
describe('operational metrics after a journey', () => {
  const suite = serverForSuite();
  let owner: TestAgent;
  let metrics: string;
  const requestId = 'trace-4f2a.checkout:1';
  let echoed: string | null;

  beforeAll(async () => {
    owner = await suite.journey.createOrg('owner');
    const admins: TestAgent[] = [];
    for (let i = 0; i < 12; i++) admins.push(await suite.journey.addAgent(owner, `admin-${i}`, 'ADMIN'));
    // First keys requested at once race on the org stream: conflicts, retried by the handler.
    const bodies = await suite.journey.keyRequestBodies(admins);
    await Promise.all(admins.map((admin, i) => call(suite.server, 'POST', `/v1/orgs/${owner.orgId}/key-requests`, admin.token, bodies[i])));
    // A refused state change: 409.
    const response = await checkedFetch(`${suite.server.url}/v1/orgs/${owner.orgId}/agents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'application/json', 'x-request-id': requestId },
      body: JSON.stringify({ agentId: 'traced', email: 'traced@example.com', displayName: 'Traced', role: 'MEMBER' }),
    });
    expect(response.status).toBe(201);
    echoed = response.headers.get('x-request-id');
    expect((await suite.journey.addAgent(owner, 'dup').then(() => call(suite.server, 'POST', `/v1/orgs/${owner.orgId}/agents`, owner.token, {
      agentId: 'dup', email: 'dup@example.com', displayName: 'Dup', role: 'MEMBER',
    }))).status).toBe(409);
    // The read side catches up before the scrape.
    await call(suite.server, 'GET', `/v1/orgs/${owner.orgId}/zero-trust-status`, owner.token, undefined, { 'x-min-position': String(await suite.server.eventStore.headPosition()) });
    metrics = (await call<string>(suite.server, 'GET', '/metrics')).body;
  });

  it('times HTTP requests by route pattern and status, never by raw URL', () => {
    expect(sample(metrics, 'ztkeys_http_request_duration_seconds_count', { method: 'POST', route: '/v1/orgs/:orgId/agents', status: '201' })).toBeGreaterThanOrEqual(14);
    expect(sample(metrics, 'ztkeys_http_request_duration_seconds_bucket', { route: '/v1/orgs', status: '201', le: '+Inf' })).toBe(1);
    expect(metrics).not.toContain(owner.orgId);
  });

  it('counts 409 answers by route', () => {
    expect(sample(metrics, 'ztkeys_http_conflicts_total', { method: 'POST', route: '/v1/orgs/:orgId/agents' })).toBe(1);
  });

  it('times event-store appends by adapter, and counts the conflicts the handlers retried', () => {
    expect(sample(metrics, 'ztkeys_event_store_append_duration_seconds_count', { adapter: 'sqlite', outcome: 'ok' })).toBeGreaterThan(14);
    expect(sample(metrics, 'ztkeys_event_store_conflicts_total', { adapter: 'sqlite' })).toBeGreaterThan(0);
  });

  it('reports the lag of every projection the projector feeds, the notifier and the checkpointer, in events and seconds', () => {
    // Embedded, the audit trail is the log itself: no subscriber, no lag.
    const subscribers = [...projectedModels(suite.server.readModels).map(({ name }) => `projection:${name}`), 'notifier', 'checkpointer'];
    for (const subscriber of subscribers) {
      expect(sample(metrics, 'ztkeys_subscriber_lag_events', { subscriber })).toBeGreaterThanOrEqual(0);
      expect(sample(metrics, 'ztkeys_subscriber_lag_seconds', { subscriber })).toBeGreaterThanOrEqual(0);
    }
    expect(sample(metrics, 'ztkeys_subscriber_lag_events', { subscriber: 'projection:org-status' })).toBe(0);
  });

  it('answers X-Request-Id and makes it the correlation id of the events the request produced', async () => {
    expect(echoed).toBe(requestId);
    const added = (await loggedEvents(suite.server, owner.orgId)).filter((event) => (event.data as { agentId?: string }).agentId === 'traced');
    expect(added.length).toBeGreaterThan(0);
    for (const event of added) expect(event.metadata.correlationId).toBe(requestId);
  });

  it('labels requests no route took as route "unmatched", and any method beyond those the API answers as OTHER: a caller cannot add series at will', async () => {
    // Node's parser takes some forty methods (WebDAV, UPnP...): each would be a label value of its own.
    const methods = ['PROPFIND', 'MKCOL', 'LOCK', 'M-SEARCH', 'SEARCH', 'PURGE', 'GET', 'DELETE'];
    for (const method of methods) {
      for (const path of [`/nowhere-${method}-x1`, '/v1/orgs']) {
        await new Promise<void>((resolve, reject) => request(`${suite.server.url}${path}`, { method }, (reply) => reply.resume().on('end', resolve)).on('error', reject).end());
      }
    }
    const scraped = (await call<string>(suite.server, 'GET', '/metrics')).body;
    const labels = [...scraped.matchAll(/^ztkeys_http_request_duration_seconds_count\{method="([^"]*)",route="([^"]*)"/gm)];
    const answered = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
    expect([...new Set(labels.map(([, method]) => method).filter((method) => !answered.includes(method)))]).toEqual(['OTHER']);
    expect([...new Set(labels.filter(([, method]) => method === 'OTHER').map(([, , route]) => route))]).toEqual(['unmatched']);
    expect(scraped).not.toContain('nowhere');
  });

  it('makes an acceptable X-Correlation-Id the correlation id of the events, and ignores one that is not (the request id instead)', async () => {
    const add = async (agentId: string, correlation: string) => {
      const reply = await checkedFetch(`${suite.server.url}/v1/orgs/${owner.orgId}/agents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'application/json', 'x-request-id': `req-${agentId}`, 'x-correlation-id': correlation },
        body: JSON.stringify({ agentId, email: `${agentId}@example.com`, displayName: agentId, role: 'MEMBER' }),
      });
      expect(reply.status).toBe(201);
      const events = (await loggedEvents(suite.server, owner.orgId)).filter((event) => (event.data as { agentId?: string }).agentId === agentId);
      return [...new Set(events.map((event) => event.metadata.correlationId))];
    };
    expect(await add('correlated', 'workflow-7.step:2')).toEqual(['workflow-7.step:2']);
    expect(await add('uncorrelated', `bad id ${'x'.repeat(200)}`)).toEqual(['req-uncorrelated']);
  });

  it('replaces an unacceptable X-Request-Id with a fresh UUID', async () => {
    const response = await checkedFetch(`${suite.server.url}/health/live`, { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const long = await checkedFetch(`${suite.server.url}/health/live`, { headers: { 'x-request-id': 'a'.repeat(129) } });
    expect(long.headers.get('x-request-id')).not.toBe('a'.repeat(129));
  });
});
