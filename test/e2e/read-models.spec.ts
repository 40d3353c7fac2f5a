import { randomUUID } from 'node:crypto';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { changeVersion, versionChanges } from '../../projections/document-change';
import { orgStatusProjection } from '../../projections/org-status.projection';
import { Directory } from '../../src/application/directory';
import { fingerprint } from '../../src/crypto/public-key';
import { PendingApprovalsQuery } from '../../src/application/queries/pending-approvals';
import { ReadQueries } from '../../src/application/queries/read-queries';
import { IssueChallengeQuery } from '../../src/application/use-cases/issue-challenge';
import { RequestKeyCommand } from '../../src/application/use-cases/request-key';
import { pendingKeysProjection } from '../../projections/pending-keys.projection';
import { decode } from '../../src/domain/events/decode';
import type { LogEvent } from '../../src/domain/events/event-catalogue';
import type { RecordedEvent } from '../../src/event-store/event-store.port';
import { loggedEvents } from './event-log';
import { expectAccepted } from './expectations';
import { checkedFetch } from '../support/answer-contract';
import { dropMongoDatabase, readModelStores, throwawayDatabaseUrl } from '../support/mongo-database';
import { call, Journey, type TestAgent } from '../support/api-client';
import { generateKeyPair } from '../support/ed25519-keys';
import { serverForSuite } from '../support/server-for-suite';
import { startTestServer, type TestServer } from '../support/test-server';

/** A database of its own: a read-model store belongs to one event log (this server's). */
const stores = readModelStores('ztkeys_e2e', 'read models over HTTP');

/** A page's reads of the approvers' key streams for the threshold's cap (up to the highest threshold, 2 here, and one more). */
const ONE_PAGE_OF_HOLDERS = 3;

/** The read side over HTTP: pending keys, zero-trust status, audit log and its export, read-your-writes. */
describe.each(stores)('read models over HTTP (%s)', (_name, env) => {
  const suite = serverForSuite({ MIN_POSITION_WAIT_MS: '500', ...env });

  afterAll(async () => {
    if (env.MONGODB_URL) await dropMongoDatabase(env.MONGODB_URL);
  });

  /**
   * A read as a client makes it: a 503 READ_MODEL_BEHIND is retried after its Retry-After (1 s),
   * so a loaded machine (the wait here is 500 ms, for the 503 test below) slows the test, never fails it.
   */
  async function get(agent: TestAgent, path: string, position?: string) {
    for (let attempt = 1; ; attempt++) {
      const reply = await call(suite.server, 'GET', `/v1/orgs/${agent.orgId}${path}`, agent.token, undefined, position ? { 'x-min-position': position } : {});
      if (reply.status !== 503 || reply.body.code !== 'READ_MODEL_BEHIND' || attempt === 20) return reply;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }

  async function orgWithPendingRequests(count: number) {
    const admin = await suite.journey.createOrg('alice');
    await suite.journey.activeKey(admin, admin);
    const requests = [];
    for (let i = 0; i < count; i++) {
      const agent = await suite.journey.addAgent(admin, `agent-${i}`);
      requests.push((await suite.journey.requestKey(agent)).body);
    }
    return { admin, requests };
  }

  /** A key request of `agent` answering a challenge issued at `at`, made then, as an instance whose clock says `at` makes it. */
  async function requestKeyAt(agent: TestAgent, at: Date): Promise<{ requestId: string }> {
    const { app } = suite.server;
    const key = generateKeyPair();
    const challenge = await app.get(QueryBus).execute(new IssueChallengeQuery(agent.orgId, agent.agentId, { purpose: 'KEY_REQUEST', publicKey: key.publicKey }, at));
    const commandId = randomUUID();
    const context = { actor: agent.agentId, orgId: agent.orgId, correlationId: commandId, commandId, now: at };
    return app.get(CommandBus).execute(new RequestKeyCommand(context, key.publicKey, challenge.challengeId, key.sign(challenge.statement), false));
  }

  /** The pending list's first page by the query itself, and how many streams it read from the event store to answer it. */
  async function listedNow(server: TestServer, approver: TestAgent) {
    const { app } = server;
    const org = (await app.get(Directory).org(approver.orgId)).state;
    const reads = jest.spyOn(server.eventStore, 'readStream');
    try {
      const page = await app.get(PendingApprovalsQuery).page(approver.orgId, org, { limit: 50 }, new Date());
      return { page: page.items.map(({ requestId, approvals, approvalsRequired }) => ({ requestId, approvals, approvalsRequired })), streamReads: reads.mock.calls.length };
    } finally {
      reads.mockRestore();
    }
  }

  it('pages an approver through dozens of pending requests, some decided, some past their expiry with nothing recorded: each pending one once, every page full but the last, no stream read per request', async () => {
    const HOUR = 3600_000;
    const admin = await suite.journey.createOrg('alice');
    await suite.journey.activeKey(admin, admin);
    const started = Date.now();
    const requests: Array<{ requestId: string; expires: 'early' | 'later' }> = [];
    // 90 requests in pages of 10 (240 in pages of 25 before: the same shares, a third of the requests to
    // make): six to eight pages, each with about three read from the model and left out.
    for (let i = 0; i < 90; i++) {
      const agent = await suite.journey.addAgent(admin, `agent-${i}`);
      // Every third answered a challenge issued two hours before: it expires two hours before the others, among them in the list.
      const early = i % 3 === 0;
      requests.push({ requestId: (await requestKeyAt(agent, early ? new Date(started - 2 * HOUR) : new Date())).requestId, expires: early ? 'early' : 'later' });
    }
    // Every seventh is rejected: the read model drops it.
    let position = '';
    for (const { requestId } of requests.filter((_, i) => i % 7 === 1)) {
      const rejected = await suite.journey.decide(admin, requestId, 'REJECT');
      expectAccepted(rejected);
      position = rejected.body.position;
    }
    const decided = new Set(requests.filter((_, i) => i % 7 === 1).map(({ requestId }) => requestId));
    const open = requests.filter(({ requestId }) => !decided.has(requestId));

    // Over HTTP, as the CLI and the console page: every open request once, every page full but the last.
    const limit = 10;
    const pagesOf = async (next: (cursor?: string) => Promise<{ items: Array<{ requestId: string }>; nextCursor?: string }>) => {
      const pages: string[][] = [];
      let cursor: string | undefined;
      do {
        const page = await next(cursor);
        pages.push(page.items.map((item) => item.requestId));
        cursor = page.nextCursor;
      } while (cursor);
      return pages;
    };
    const fullPages = (ids: string[]) => Array.from({ length: Math.ceil(ids.length / limit) }, (_, page) => ids.slice(page * limit, (page + 1) * limit));
    const overHttp = await pagesOf(async (cursor) => (await get(admin, `/key-requests?status=PENDING&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, position)).body);
    expect(overHttp).toEqual(fullPages(open.map(({ requestId }) => requestId)));

    // Read at an instant past the early ones' expiry and before the others' (no scheduler records it): they are left out, and the pages stay full.
    const { app } = suite.server;
    const org = (await app.get(Directory).org(admin.orgId)).state;
    const now = new Date(started + 167 * HOUR);
    const reads = jest.spyOn(suite.server.eventStore, 'readStream');
    try {
      const pages = await pagesOf((cursor) => app.get(PendingApprovalsQuery).page(admin.orgId, org, { limit, cursor }, now));
      expect(pages).toEqual(fullPages(open.filter(({ expires }) => expires === 'later').map(({ requestId }) => requestId)));
      // What the read model holds is not read again from each request's stream: the approvers' key streams once a page at most.
      expect(reads.mock.calls.length).toBeLessThanOrEqual(pages.length);
    } finally {
      reads.mockRestore();
    }
  });

  it('lists a page of M-of-N requests with approvals recorded from the read models, the approvals that count as the next decision counts them, without reading each request\'s stream', async () => {
    const { app } = suite.server;
    const alice = await suite.journey.createOrg('alice', { memberKeyApprovals: 2 });
    await suite.journey.activeKey(alice, alice);
    const bob = await suite.journey.addAgent(alice, 'bob', 'ADMIN');
    await suite.journey.activeKey(bob, alice);
    const requests: string[] = [];
    let position = '';
    // 20 requests: a read of each one's streams (two or more each) would be far past the cap of 3.
    for (let i = 0; i < 20; i++) {
      const agent = await suite.journey.addAgent(alice, `member-${i}`);
      const requested = (await suite.journey.requestKey(agent)).body;
      const recorded = await suite.journey.decide(alice, requested.requestId, 'APPROVE', { verificationCode: requested.verificationCode });
      expect(recorded.body).toMatchObject({ status: 'PENDING', approvals: ['alice'], approvalsRequired: 2 });
      requests.push(requested.requestId);
      position = recorded.body.position;
    }
    const listed = async (at: string) => {
      for (const model of ['pending-keys', 'org-status'] as const) expect(await app.get(ReadQueries).reached(model, BigInt(at), 10_000)).toBe(true);
      return listedNow(suite.server, alice);
    };
    // The threshold's cap reads the approvers' key streams once a page (up to the highest threshold and one more): never one a request.
    const before = await listed(position);
    expect(before.page).toEqual(requests.map((requestId) => ({ requestId, approvals: ['alice'], approvalsRequired: 2 })));
    expect(before.streamReads).toBeLessThanOrEqual(ONE_PAGE_OF_HOLDERS);

    // alice's key is replaced (bob approves it): the approvals it signed no longer count, on the list as for the next decision.
    const replaced = await suite.journey.requestKey(alice);
    const approved = await suite.journey.decide(bob, replaced.body.requestId, 'APPROVE', { verificationCode: replaced.body.verificationCode });
    expect(approved.body).toMatchObject({ status: 'APPROVED' });
    const after = await listed(approved.body.position);
    expect(after.page).toEqual(requests.map((requestId) => ({ requestId, approvals: [], approvalsRequired: 2 })));
    expect(after.streamReads).toBeLessThanOrEqual(ONE_PAGE_OF_HOLDERS);

    // Documents of an earlier release, whose model kept no approval's key: each such request's stream tells, as before, the same.
    const { readModels } = suite.server;
    const checkpoint = (await readModels.checkpoint('pending-keys'))!;
    const forget = requests.map((requestId) => ({ change: { kind: 'deleteWhere', collection: 'key_approvals', where: { orgId: alice.orgId, requestId } } as const, version: changeVersion(checkpoint, 999) }));
    await readModels.apply('pending-keys', await readModels.activeGeneration('pending-keys'), forget, checkpoint);
    const earlier = await listedNow(suite.server, alice);
    expect(earlier.page).toEqual(after.page);
    expect(earlier.streamReads).toBeGreaterThan(requests.length);
  });

  it('counts the approvals recorded, and the approvers\' keys changed, past the read models\' checkpoints: the list says what the next decision will', async () => {
    // A server of its own without the projector role: its read models are projected by hand, up to a position and no further.
    const store: Record<string, string> = env.MONGODB_URL ? { MONGODB_URL: throwawayDatabaseUrl(env.MONGODB_URL, 'ztkeys_e2e') } : {};
    const apiOnly = await startTestServer({ ROLES: 'api', ...store });
    try {
      const journey = new Journey(apiOnly);
      const alice = await journey.createOrg('alice', { memberKeyApprovals: 2 });
      await journey.activeKey(alice, alice);
      const bob = await journey.addAgent(alice, 'bob', 'ADMIN');
      await journey.activeKey(bob, alice);
      const requestOf = async (agentId: string) => (await journey.requestKey(await journey.addAgent(alice, agentId))).body;
      const carol = await requestOf('carol');
      const dave = await requestOf('dave');
      expectAccepted(await journey.decide(alice, carol.requestId, 'APPROVE', { verificationCode: carol.verificationCode }));
      for (const projection of [pendingKeysProjection, orgStatusProjection]) {
        const events = (await loggedEvents(apiOnly)).map((event) => decode(event));
        const changes = events.flatMap((event) => versionChanges(event.position, projection.project(event)));
        await apiOnly.readModels.apply(projection.name, await apiOnly.readModels.activeGeneration(projection.name), changes, events[events.length - 1].position);
      }
      const page = async () => (await listedNow(apiOnly, alice)).page;
      expect(await page()).toEqual([
        { requestId: carol.requestId, approvals: ['alice'], approvalsRequired: 2 },
        { requestId: dave.requestId, approvals: [], approvalsRequired: 2 },
      ]);

      // Past the checkpoints: bob approves dave's request, and alice's key is replaced.
      expectAccepted(await journey.decide(bob, dave.requestId, 'APPROVE', { verificationCode: dave.verificationCode }));
      const replaced = await journey.requestKey(alice);
      expectAccepted(await journey.decide(bob, replaced.body.requestId, 'APPROVE', { verificationCode: replaced.body.verificationCode }));
      const { page: listed, streamReads } = await listedNow(apiOnly, alice);
      expect(listed).toEqual([
        { requestId: carol.requestId, approvals: [], approvalsRequired: 2 },
        { requestId: dave.requestId, approvals: ['bob'], approvalsRequired: 2 },
      ]);
      expect(streamReads).toBeLessThanOrEqual(ONE_PAGE_OF_HOLDERS);
    } finally {
      await apiOnly.close();
      if (store.MONGODB_URL) await dropMongoDatabase(store.MONGODB_URL);
    }
  });

  it('lists pending requests oldest first in cursor pages, once the model reached the position', async () => {
    const { admin, requests } = await orgWithPendingRequests(5);
    const last = requests[requests.length - 1].position;
    const first = await get(admin, '/key-requests?status=PENDING&limit=2', last);
    expect(first.status).toBe(200);
    expect(first.body.items.map((item: { requestId: string }) => item.requestId)).toEqual(requests.slice(0, 2).map((r) => r.requestId));
    expect(first.body.items[0]).toMatchObject({ agentId: 'agent-0', verificationCode: requests[0].verificationCode, fingerprint: requests[0].fingerprint });
    const seen = [...first.body.items];
    let cursor = first.body.nextCursor;
    while (cursor) {
      const page = await get(admin, `/key-requests?limit=2&cursor=${cursor}`);
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
    }
    expect(seen.map((item) => item.requestId)).toEqual(requests.map((r) => r.requestId));
  });

  it('tells the approver who asks (name and email) and the ACTIVE key a request would revoke (R8), while it is still ACTIVE; on the list and on the request', async () => {
    const admin = await suite.journey.createOrg('alice');
    await suite.journey.activeKey(admin, admin);
    const bob = await suite.journey.addAgent(admin, 'bob');
    const bobKey = fingerprint((await suite.journey.activeKey(bob, admin)).publicKey);
    const first = (await suite.journey.requestKey(await suite.journey.addAgent(admin, 'carol'))).body;
    const rotation = (await suite.journey.requestKey(bob)).body;
    const shown = async (position: string) => {
      const list = await get(admin, '/key-requests?status=PENDING', position);
      expect(list.status).toBe(200);
      const single = await suite.journey.getKeyRequest(admin, rotation.requestId);
      return { list: list.body.items, single: single.body.replacesFingerprint };
    };

    const before = await shown(rotation.position);
    expect(before.list).toEqual([
      expect.objectContaining({ requestId: first.requestId, agentId: 'carol', displayName: 'carol', email: 'carol@example.com', replacesFingerprint: null }),
      expect.objectContaining({ requestId: rotation.requestId, agentId: 'bob', displayName: 'bob', email: 'bob@example.com', replacesFingerprint: bobKey }),
    ]);
    expect(before.single).toBe(bobKey);

    // Revoked meanwhile: approving the request now revokes nothing, and the approver is not told it does.
    const revoked = await suite.journey.revokeKey(admin, 'bob');
    expect(revoked.status).toBe(200);
    const after = await shown(revoked.body.position);
    expect(after.list.find((item: { requestId: string }) => item.requestId === rotation.requestId)).toMatchObject({ replacesFingerprint: null });
    expect(after.single).toBeNull();
  });

  it('drops a request from the pending list once decided', async () => {
    const { admin, requests } = await orgWithPendingRequests(2);
    const approved = await suite.journey.decide(admin, requests[0].requestId, 'APPROVE', { verificationCode: requests[0].verificationCode });
    const list = await get(admin, '/key-requests', approved.body.position);
    expect(list.body.items.map((item: { requestId: string }) => item.requestId)).toEqual([requests[1].requestId]);
  });

  it('shows every agent with key status, filters, prompt frequencies and org totals', async () => {
    const { admin, requests } = await orgWithPendingRequests(2);
    const auditor = await suite.journey.addAgent(admin, 'zoe', 'AUDITOR');
    const { challengeId, signature } = await suite.journey.signed(admin, admin.key!, { purpose: 'PROMPT_FREQUENCY', browserId: 'laptop', frequency: 'DAILY' });
    const set = await call(suite.server, 'PUT', `/v1/orgs/${admin.orgId}/agents/alice/browsers/laptop/prompt-frequency`, admin.token, {
      frequency: 'DAILY',
      challengeId,
      signature,
    });
    expect(set.status).toBe(200);
    const status = await get(auditor, '/zero-trust-status', set.body.position);
    expect(status.status).toBe(200);
    expect(status.body.totals).toMatchObject({ agents: 4, withActiveKey: 1, pending: 2, none: 1 });
    const alice = status.body.agents.find((agent: { agentId: string }) => agent.agentId === 'alice');
    expect(alice).toMatchObject({ role: 'SUPER_ADMIN', keyStatus: 'ACTIVE', promptFrequencies: { laptop: 'DAILY' } });
    const pending = await get(auditor, '/zero-trust-status?keyStatus=PENDING&limit=1');
    expect(pending.body.agents).toHaveLength(1);
    expect(pending.body.nextCursor).toBeDefined();
    const next = await get(auditor, `/zero-trust-status?keyStatus=PENDING&limit=1&cursor=${pending.body.nextCursor}`);
    expect([pending.body.agents[0].agentId, next.body.agents[0].agentId].sort()).toEqual(requests.map((_, i) => `agent-${i}`));
    const auditors = await get(auditor, '/zero-trust-status?role=AUDITOR');
    expect(auditors.body.agents.map((agent: { agentId: string }) => agent.agentId)).toEqual(['zoe']);
  });

  it("lists of an agent's browsers only those that remember a signature (DAILY, WEEKLY): none logged out of, set back to EVERY_TASK or reset by a key change", async () => {
    const { admin } = await orgWithPendingRequests(0);
    const bob = await suite.journey.addAgent(admin, 'bob');
    await suite.journey.activeKey(bob, admin);
    // Every browser an agent ever logged out of was listed, for ever: one logout needs no signature.
    for (let i = 0; i < 30; i++) expect((await suite.journey.logout(bob, `kiosk-${i}`)).status).toBe(200);
    for (const [browserId, frequency] of [['laptop', 'DAILY'], ['desk', 'WEEKLY'], ['tablet', 'DAILY'], ['phone', 'WEEKLY'], ['tablet', 'EVERY_TASK']]) {
      expect((await suite.journey.setPromptFrequency(bob, browserId, frequency)).status).toBe(200);
    }
    const loggedOut = await suite.journey.logout(bob, 'phone');
    const status = await get(admin, '/zero-trust-status?limit=100', loggedOut.body.position);
    const of = (agentId: string) => status.body.agents.find((agent: { agentId: string }) => agent.agentId === agentId);
    expect(of('bob').promptFrequencies).toEqual({ laptop: 'DAILY', desk: 'WEEKLY' });
    expect(status.body.totals).toMatchObject({ agents: 2, withActiveKey: 2 });

    // R10: a change of bob's key sets every browser of his back to EVERY_TASK.
    const revoked = await suite.journey.revokeKey(admin, 'bob');
    expect(revoked.status).toBe(200);
    const after = await get(admin, '/zero-trust-status?limit=100', revoked.body.position);
    expect(after.body.agents.find((agent: { agentId: string }) => agent.agentId === 'bob')).toMatchObject({ keyStatus: 'REVOKED', promptFrequencies: {} });
    expect(after.body.totals).toMatchObject({ agents: 2, withActiveKey: 1, byKeyStatus: expect.objectContaining({ REVOKED: 1 }) });
  });

  it('pages the audit log in log order with filters, stable while new events arrive, and exports it as NDJSON', async () => {
    const { admin, requests } = await orgWithPendingRequests(3);
    const head = requests[requests.length - 1].position;
    const all = await get(admin, '/audit-log?limit=100', head);
    const positions = all.body.items.map((entry: { position: number }) => entry.position);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(all.body.items[0]).toMatchObject({ type: 'OrganizationCreated', actor: 'operator' });
    const firstPage = await get(admin, '/audit-log?limit=3');
    await suite.journey.addAgent(admin, 'late-arrival');
    const secondPage = await get(admin, `/audit-log?limit=3&cursor=${firstPage.body.nextCursor}`);
    expect(secondPage.body.items.map((entry: { position: number }) => entry.position)).toEqual(positions.slice(3, 6));
    const byType = await get(admin, '/audit-log?type=KeyRequested');
    expect(byType.body.items.map((entry: { subject: string }) => entry.subject)).toEqual(['alice', 'agent-0', 'agent-1', 'agent-2']);
    const bySubject = await get(admin, '/audit-log?subject=agent-1');
    expect(bySubject.body.items.map((entry: { type: string }) => entry.type)).toEqual(['AgentAdded', 'KeyRequested', 'PublicKeyClaimed']);
    const byActor = await get(admin, '/audit-log?actor=agent-2');
    expect(byActor.body.items.map((entry: { type: string }) => entry.type)).toEqual(['KeyRequested', 'PublicKeyClaimed']);
    const future = await get(admin, `/audit-log?from=${encodeURIComponent(new Date(Date.now() + 3600_000).toISOString())}`);
    expect(future.body.items).toEqual([]);

    const exported = await checkedFetch(`${suite.server.url}/v1/orgs/${admin.orgId}/audit-log/export`, { headers: { authorization: `Bearer ${admin.token}` } });
    expect(exported.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = (await exported.text()).trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.slice(0, positions.length).map((entry) => entry.position)).toEqual(positions);
  });

  it('filters the audit log and its export by the instants given, to the nanosecond RFC 3339 allows, though events are timed to the millisecond', async () => {
    const { admin, requests } = await orgWithPendingRequests(1);
    const all = (await get(admin, '/audit-log?limit=100', requests[0].position)).body.items as { eventId: string; occurredAt: string }[];
    const at = all[all.length - 1].occurredAt; // to the millisecond, such as ...:03.973Z
    const atPlus = (fraction: string) => at.replace(/Z$/, `${fraction}Z`); // ...03.9731Z: a tenth of a millisecond after the event
    const ids = async (query: string) => {
      const page = await get(admin, `/audit-log?limit=100&${query}`);
      const exported = await checkedFetch(`${suite.server.url}/v1/orgs/${admin.orgId}/audit-log/export?${query}`, { headers: { authorization: `Bearer ${admin.token}` } });
      const lines = (await exported.text()).split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { eventId: string }).eventId);
      return { status: page.status, page: (page.body.items as { eventId: string }[] | undefined)?.map((entry) => entry.eventId), exported: lines };
    };
    const before = all.filter((entry) => entry.occurredAt <= at).map((entry) => entry.eventId);
    const after = all.filter((entry) => entry.occurredAt > at).map((entry) => entry.eventId);
    // `from` is inclusive, `to` exclusive: an event at .973 is before .9731, so not from it on, and before it.
    expect(await ids(`from=${encodeURIComponent(atPlus('1'))}`)).toEqual({ status: 200, page: after, exported: after });
    expect(await ids(`to=${encodeURIComponent(atPlus('000001'))}`)).toEqual({ status: 200, page: before, exported: before });
    // A range within one millisecond is a range (empty here), not `from` after `to`.
    expect(await ids(`from=${encodeURIComponent(atPlus('1'))}&to=${encodeURIComponent(atPlus('2'))}`)).toEqual({ status: 200, page: [], exported: [] });
    const backwards = await get(admin, `/audit-log?from=${encodeURIComponent(atPlus('2'))}&to=${encodeURIComponent(atPlus('1'))}`);
    expect({ status: backwards.status, code: backwards.body.code }).toEqual({ status: 400, code: 'INVALID_TIME_RANGE' });
  });

  it('reads a bound at the end of year 9999 (a reporting tool\'s "no end") as later than every event, also where its offset or fraction carries it into year 10000', async () => {
    const { admin, requests } = await orgWithPendingRequests(1);
    const all = ((await get(admin, '/audit-log?limit=100', requests[0].position)).body.items as { eventId: string }[]).map((entry) => entry.eventId);
    const ids = async (query: string) => {
      const page = await get(admin, `/audit-log?limit=100&${query}`);
      const exported = await checkedFetch(`${suite.server.url}/v1/orgs/${admin.orgId}/audit-log/export?${query}`, { headers: { authorization: `Bearer ${admin.token}` } });
      const lines = (await exported.text()).split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { eventId: string }).eventId);
      return { query, status: page.status, page: (page.body.items as { eventId: string }[] | undefined)?.map((entry) => entry.eventId), exported: lines };
    };
    for (const end of ['9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999999999Z', '9999-12-31T23:59:59-01:00']) {
      expect(await ids(`to=${encodeURIComponent(end)}`)).toEqual({ query: `to=${encodeURIComponent(end)}`, status: 200, page: all, exported: all });
      expect(await ids(`from=${encodeURIComponent(end)}`)).toEqual({ query: `from=${encodeURIComponent(end)}`, status: 200, page: [], exported: [] });
    }
  });

  it('reads the audit log and its export on from a position (`after`), with the filters and the cursor, and past the end as nothing', async () => {
    const { admin, requests } = await orgWithPendingRequests(3);
    const entries = (await get(admin, '/audit-log?limit=100', requests[requests.length - 1].position)).body.items as { eventId: string; position: number; type: string }[];
    const exported = async (query: string) => {
      const reply = await checkedFetch(`${suite.server.url}/v1/orgs/${admin.orgId}/audit-log/export?${query}`, { headers: { authorization: `Bearer ${admin.token}` } });
      return (await reply.text()).split('\n').filter(Boolean).map((line) => JSON.parse(line) as { eventId: string; position: number; type: string });
    };
    const fullExport = await exported('');
    const ids = (list: { eventId: string }[]) => list.map((entry) => entry.eventId);
    // Resuming at an entry's position gives what follows it, whether the position is an item's or an export line's.
    const mark = entries[4].position;
    const later = entries.filter((entry) => entry.position > mark);
    expect(later.length).toBeGreaterThan(3);
    expect(ids((await get(admin, `/audit-log?limit=100&after=${mark}`)).body.items)).toEqual(ids(later));
    expect(ids(await exported(`after=${mark}`))).toEqual(ids(fullExport.filter((entry) => entry.position > mark)));
    // With a filter, and with the cursor of a page read after it.
    expect(ids((await get(admin, `/audit-log?type=KeyRequested&after=${mark}`)).body.items)).toEqual(ids(later.filter((entry) => entry.type === 'KeyRequested')));
    expect(ids(await exported(`type=KeyRequested&after=${mark}`))).toEqual(ids(later.filter((entry) => entry.type === 'KeyRequested')));
    const first = await get(admin, `/audit-log?limit=2&after=${mark}`);
    expect(ids(first.body.items)).toEqual(ids(later.slice(0, 2)));
    const second = await get(admin, `/audit-log?limit=2&after=${mark}&cursor=${first.body.nextCursor}`);
    expect(ids(second.body.items)).toEqual(ids(later.slice(2, 4)));
    // A cursor past `after` wins, and `after` past the cursor does: one lower bound, the tighter.
    expect(ids((await get(admin, `/audit-log?limit=2&after=${later[3].position}&cursor=${first.body.nextCursor}`)).body.items)).toEqual(ids(later.slice(4, 6)));
    // From the start, and past the log's end: nothing more yet, not an error.
    expect(ids((await get(admin, '/audit-log?limit=100&after=0')).body.items)).toEqual(ids(entries));
    const head = fullExport[fullExport.length - 1].position;
    for (const after of [head, Number.MAX_SAFE_INTEGER]) {
      const page = await get(admin, `/audit-log?after=${after}`);
      expect({ status: page.status, items: page.body.items, nextCursor: page.body.nextCursor }).toEqual({ status: 200, items: [], nextCursor: undefined });
      expect(await exported(`after=${after}`)).toEqual([]);
    }
  });

  it('lets a MEMBER read none of it (403) and answers bad filters with 400 problems that change nothing', async () => {
    const { admin } = await orgWithPendingRequests(1);
    const member = await suite.journey.addAgent(admin, 'mallory');
    for (const path of ['/key-requests', '/zero-trust-status', '/audit-log', '/audit-log/export']) {
      expect((await get(member, path)).status).toBe(403);
    }
    const headBefore = await suite.server.eventStore.headPosition();
    for (const path of [
      '/audit-log?cursor=bm90LWEtY3Vyc29y',
      '/audit-log?limit=0',
      '/audit-log?limit=101',
      '/audit-log?from=yesterday',
      '/audit-log?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z',
      '/audit-log?actor[$ne]=null',
      '/audit-log?type[$gt]=',
      // A type no event has (misspelt, or of another product) would read as "nothing happened".
      '/audit-log?type=KeyAproved',
      '/audit-log/export?type=keyapproved',
      // A position is written as audit entries give it: decimal digits, a safe integer.
      ...['-1', '1.5', '1e3', '0x10', '+1', '007', '', 'soon', '9007199254740992', '99999999999999999999999', '1&after=2'].flatMap((after) => [
        `/audit-log?after=${after}`,
        `/audit-log/export?after=${after}`,
      ]),
      '/audit-log?after[$gt]=1',
      '/zero-trust-status?keyStatus=MAYBE',
      '/zero-trust-status?role[$ne]=x',
      // Lists and operators where one string is expected, and a cursor that decodes to an operator.
      '/zero-trust-status?keyStatus[]=ACTIVE',
      '/zero-trust-status?keyStatus[$in][]=ACTIVE',
      '/zero-trust-status?keyStatus=ACTIVE&keyStatus=REVOKED',
      `/zero-trust-status?cursor=${Buffer.from('{"$gt":""}').toString('base64url')}`,
      `/audit-log?cursor=${Buffer.from('{"$gt":0}').toString('base64url')}`,
      '/audit-log?subject[]=bob',
      '/as-of?at[$lte]=2026-01-01T00:00:00Z',
      '/audit-log/inclusion?eventId[$ne]=x',
      '/audit-log/consistency?from[]=0&to=1',
      '/key-requests?status[]=PENDING',
      '/key-requests?__proto__[x]=1',
      '/key-requests?status=APPROVED',
      '/key-requests?unknown=1',
    ]) {
      const reply = await get(admin, path);
      expect({ path, status: reply.status, type: reply.contentType.split(';')[0] }).toEqual({ path, status: 400, type: 'application/problem+json' });
      if (path.includes('after=')) expect({ path, code: reply.body.code, detail: reply.body.detail }).toEqual({ path, code: 'INVALID_INPUT', detail: expect.stringMatching(/after: after (must be a log position as audit entries give it|is given 2 times)/) });
    }
    const backwards = await get(admin, '/audit-log/export?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z');
    expect({ status: backwards.status, code: backwards.body.code }).toEqual({ status: 400, code: 'INVALID_TIME_RANGE' });
    const badPosition = await get(admin, '/audit-log', 'soon');
    expect(badPosition.status).toBe(400);
    expect(await suite.server.eventStore.headPosition()).toBe(headBefore);
  });

  it('tells who could perform sensitive tasks at an instant (as-of), and refuses a bad or future instant with a 400 problem', async () => {
    const { admin, requests } = await orgWithPendingRequests(1);
    const auditor = await suite.journey.addAgent(admin, 'zoe', 'AUDITOR');
    const beforeApproval = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const approved = await suite.journey.decide(admin, requests[0].requestId, 'APPROVE', { verificationCode: requests[0].verificationCode });
    const { challengeId, signature } = await suite.journey.signed(admin, admin.key!, { purpose: 'PROMPT_FREQUENCY', browserId: 'laptop', frequency: 'WEEKLY' });
    const set = await call(suite.server, 'PUT', `/v1/orgs/${admin.orgId}/agents/alice/browsers/laptop/prompt-frequency`, admin.token, { frequency: 'WEEKLY', challengeId, signature });
    expect([approved.status, set.status]).toEqual([200, 200]);

    const now = await get(auditor, `/as-of?at=${encodeURIComponent(new Date().toISOString())}`, set.body.position);
    expect(now.status).toBe(200);
    expect(now.body.agents.map((a: { agentId: string; role: string; rememberedBrowsers: { browserId: string }[] }) => [a.agentId, a.role, a.rememberedBrowsers.map((b) => b.browserId)])).toEqual([
      ['agent-0', 'MEMBER', []],
      ['alice', 'SUPER_ADMIN', ['laptop']],
    ]);
    const earlier = await get(auditor, `/as-of?at=${encodeURIComponent(beforeApproval)}`);
    expect(earlier.body.agents.map((a: { agentId: string }) => a.agentId)).toEqual(['alice']);

    for (const at of ['', 'yesterday', '2026-05-01', '2026-02-30T12:00:00Z', '2026-05-01T12:00:00', '2999-01-01T00:00:00Z']) {
      const reply = await get(auditor, `/as-of?at=${encodeURIComponent(at)}`);
      expect({ at, status: reply.status, type: reply.contentType.split(';')[0] }).toEqual({ at, status: 400, type: 'application/problem+json' });
    }
    expect((await get(await suite.journey.addAgent(admin, 'mia'), '/as-of?at=2026-01-01T00:00:00Z')).status).toBe(403);
  });

  it('leaves out of the pending list a request its stream shows decided while the read model has not caught up: another approver is not offered it', async () => {
    // A server of its own without the projector role, its pending keys projected by hand up to bob's request and no further.
    const store: Record<string, string> = env.MONGODB_URL ? { MONGODB_URL: throwawayDatabaseUrl(env.MONGODB_URL, 'ztkeys_e2e') } : {};
    const apiOnly = await startTestServer({ ROLES: 'api', ...store });
    try {
      const journey = new Journey(apiOnly);
      const alice = await journey.createOrg('alice');
      await journey.activeKey(alice, alice);
      const bob = await journey.addAgent(alice, 'bob');
      const { requestId } = (await journey.requestKey(bob)).body;
      const requested = (await loggedEvents(apiOnly, alice.orgId)).find((event) => event.type === 'KeyRequested' && event.data.requestId === requestId)!;
      const changes = versionChanges(requested.position, pendingKeysProjection.project(requested as RecordedEvent<LogEvent>));
      await apiOnly.readModels.apply('pending-keys', await apiOnly.readModels.activeGeneration('pending-keys'), changes, requested.position);
      const listed = async () => (await call(apiOnly, 'GET', `/v1/orgs/${alice.orgId}/key-requests`, alice.token)).body.items.map((item: { requestId: string }) => item.requestId);
      expect(await listed()).toEqual([requestId]);

      expectAccepted(await journey.decide(alice, requestId, 'REJECT'));
      expect(await listed()).toEqual([]);
      expect((await journey.getKeyRequest(alice, requestId)).body).toMatchObject({ status: 'REJECTED', expiresAt: null, approvalsRequired: null });
    } finally {
      await apiOnly.close();
      if (store.MONGODB_URL) await dropMongoDatabase(store.MONGODB_URL);
    }
  });

  it('answers 503 with Retry-After when the read model does not reach X-Min-Position in time', async () => {
    // A server of its own without the projector role: the position is in the log, and no projected read model ever applies it
    // (the embedded audit log is read from the log's own table, always at its head: pending keys are projected).
    // On the suite's kind of store: MongoDB's in a database of its own, as the server's log is its own.
    const store: Record<string, string> = env.MONGODB_URL ? { MONGODB_URL: throwawayDatabaseUrl(env.MONGODB_URL, 'ztkeys_e2e') } : {};
    const apiOnly = await startTestServer({ ROLES: 'api', MIN_POSITION_WAIT_MS: '500', ...store });
    try {
      const admin = await new Journey(apiOnly).createOrg('alice');
      const head = (await apiOnly.eventStore.headPosition())!;
      const reply = await call(apiOnly, 'GET', `/v1/orgs/${admin.orgId}/key-requests`, admin.token, undefined, { 'x-min-position': String(head) });
      expect(reply.status).toBe(503);
      expect(reply.body.code).toBe('READ_MODEL_BEHIND');
    } finally {
      await apiOnly.close();
      if (store.MONGODB_URL) await dropMongoDatabase(store.MONGODB_URL);
    }
  });
});
