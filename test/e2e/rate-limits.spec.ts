import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkedFetch } from '../support/answer-contract';
import { call, Journey, type TestAgent } from '../support/api-client';
import { generateKeyPair } from '../support/ed25519-keys';
import { rawCall } from '../support/raw-http';
import { startTestServer, type TestServer } from '../support/test-server';
import { serverForSuite } from '../support/server-for-suite';
import { loggedEvents } from './event-log';
import { expectNothingWritten, expectProblem } from './expectations';

const REDIS_URL = 'redis://127.0.0.1:6379';
const WRONG_CODE = '000000000000000';

/** One API call with its answer headers: Retry-After and RateLimit-* are what a client backs off by. */
async function post(server: TestServer, path: string, token: string, body: unknown) {
  const response = await checkedFetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, contentType: response.headers.get('content-type') ?? '', body: await response.json() };
}

const keyRequestChallenge = (server: TestServer, agent: TestAgent) =>
  post(server, `/v1/orgs/${agent.orgId}/challenges`, agent.token, { purpose: 'KEY_REQUEST', publicKey: generateKeyPair().publicKey });

/**
 * Until `server` counts `probe`'s challenges in Redis: an instance connects to Redis after it
 * listens, and counts in its own memory until then (the insurance limiter, by design).
 */
async function countingInRedis(server: TestServer, probe: TestAgent, redis: Redis, prefix: string): Promise<void> {
  const key = `${prefix}:rate:challenges_per_agent:${probe.orgId}~${probe.agentId}`;
  for (;;) {
    const before = Number((await redis.get(key)) ?? 0);
    await keyRequestChallenge(server, probe);
    if (Number((await redis.get(key)) ?? 0) > before) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * A REDIS_KEY_PREFIX of its own for each deployment (DATA_DIR) of a test: a prefix is claimed by the
 * first deployment that starts on it, for good. `drop` removes its keys once the test is done.
 */
function namespace(): { prefix: string; drop(redis: Redis): Promise<void> } {
  const prefix = `ztkeys-test-${randomUUID().slice(0, 8)}`;
  return {
    prefix,
    async drop(redis) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    },
  };
}

/** Refusals of one limit counted on /metrics. */
async function refusals(server: TestServer, limit: string): Promise<number> {
  const text = (await call<string>(server, 'GET', '/metrics')).body;
  const line = text.split('\n').find((row) => row.startsWith(`ztkeys_rate_limited_total{limit="${limit}"} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

/**
 * What Redis runs, as its MONITOR shows it (one line a command, in the order run), on a connection
 * of its own. `lines()` gives those run since it was last called (or the monitor began), once a
 * marker sent now is shown: every command before it is in.
 */
async function redisMonitor(redis: Redis): Promise<{ lines(): Promise<string[]>; close(): void }> {
  const socket = connect(6379, '127.0.0.1');
  let text = '';
  socket.on('data', (chunk) => (text += chunk.toString('utf8')));
  socket.write('MONITOR\r\n');
  const shown = async (marker: string) => {
    await redis.get(marker);
    while (!text.includes(marker)) await new Promise((resolve) => setTimeout(resolve, 10));
  };
  await shown(`ztkeys:monitor-started:${randomUUID()}`);
  let start = text.length;
  return {
    async lines() {
      await shown(`ztkeys:monitor-marker:${randomUUID()}`);
      const since = text.slice(start);
      start = text.length;
      return since.split('\r\n');
    },
    close: () => socket.destroy(),
  };
}

/** A TCP hop to Redis that can go quiet: connections stay open, and what either side sends is held until it thaws. */
async function quietableRedisHop(): Promise<{ url: string; quiet(): void; thaw(): void; close(): Promise<void> }> {
  let quiet = false;
  const held: (() => void)[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(6379, '127.0.0.1');
    for (const [from, to] of [[client, upstream], [upstream, client]] as const) {
      sockets.add(from);
      from.on('data', (chunk) => (quiet ? held.push(() => to.write(chunk)) : to.write(chunk)));
      from.on('close', () => to.destroy());
      from.on('error', () => from.destroy());
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `redis://127.0.0.1:${(server.address() as { port: number }).port}`,
    quiet: () => (quiet = true),
    thaw: () => {
      quiet = false;
      for (const send of held.splice(0)) send();
    },
    close: async () => {
      const closed = new Promise((resolve) => server.close(resolve));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/** Issue 12, item 5 and R19: an agent, an org or an address gets so many requests and then 429 with Retry-After. */
/** The statuses of GET /v1/log-key sent with each X-Forwarded-For in turn. */
async function forwardedFor(server: TestServer, ...values: string[]): Promise<number[]> {
  const statuses: number[] = [];
  for (const value of values) statuses.push((await call(server, 'GET', '/v1/log-key', undefined, undefined, { 'x-forwarded-for': value })).status);
  return statuses;
}

describe('rate limits', () => {
  describe('on one instance (memory)', () => {
    const suite = serverForSuite({
      RATE_LIMIT_CHALLENGES_PER_AGENT: '5/60',
      RATE_LIMIT_BROWSER_ACTIONS_PER_AGENT: '4/60',
      RATE_LIMIT_NEW_BROWSERS_PER_AGENT: '2/3600',
      RATE_LIMIT_WRONG_CODES_PER_AGENT: '2/3600',
      RATE_LIMIT_ORGS_PER_ADDRESS: '2/3600',
      RATE_LIMIT_KEY_REQUESTS_PER_AGENT: '2/3600',
      RATE_LIMIT_HEAVY_READS_PER_AGENT: '3/60',
    });
    let owner: TestAgent;

    beforeAll(async () => {
      owner = await suite.journey.createOrg('owner');
      await suite.journey.activeKey(owner, owner);
    });

    it('a member hammering challenges gets 429 problem details with Retry-After, counted on /metrics; another member is not held back', async () => {
      const member = await suite.journey.addAgent(owner, 'hammer');
      const answers: Awaited<ReturnType<typeof post>>[] = [];
      for (let i = 0; i < 8; i++) answers.push(await keyRequestChallenge(suite.server, member));
      expect(answers.map((answer) => answer.status)).toEqual([201, 201, 201, 201, 201, 429, 429, 429]);
      const refused = answers[5];
      expect(refused.contentType).toMatch(/^application\/problem\+json/);
      expect(refused.body).toEqual(expect.objectContaining({ status: 429, code: 'RATE_LIMITED', limit: 'challenges_per_agent' }));
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(refused.headers.get('ratelimit-limit')).toBe('5');
      expect(refused.headers.get('ratelimit-remaining')).toBe('0');
      expect(await refusals(suite.server, 'challenges_per_agent')).toBe(3);

      const other = await suite.journey.addAgent(owner, 'bystander');
      expect((await keyRequestChallenge(suite.server, other)).status).toBe(201);
    });

    it('an auditor hammering the reads that cost in proportion to the org (as-of queries, exports) gets 429 past its limit, counted on /metrics; pages and another auditor are not held back', async () => {
      const auditor = await suite.journey.addAgent(owner, 'hoarder', 'AUDITOR');
      const read = (agent: TestAgent, path: string) => call(suite.server, 'GET', `/v1/orgs/${owner.orgId}${path}`, agent.token);
      const asOf = `/as-of?at=${new Date().toISOString()}`;
      const statuses: number[] = [];
      for (const path of [asOf, '/audit-log/export', asOf, '/audit-log/export']) statuses.push((await read(auditor, path)).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const refused = await read(auditor, asOf);
      expectProblem(refused, 429, 'RATE_LIMITED');
      expect(refused.body.limit).toBe('heavy_reads_per_agent');
      expect(await refusals(suite.server, 'heavy_reads_per_agent')).toBe(2);
      expect((await read(auditor, '/audit-log?limit=100')).status).toBe(200);
      expect((await read(await suite.journey.addAgent(owner, 'colleague', 'AUDITOR'), asOf)).status).toBe(200);
    });

    it('an auditor asking inclusion proofs by event id (each counts the org\'s events before it) gets 429 past the heavy-read limit; proofs by index are not held back', async () => {
      const auditor = await suite.journey.addAgent(owner, 'prover', 'AUDITOR');
      const [event] = (await call(suite.server, 'GET', `/v1/orgs/${owner.orgId}/audit-log?limit=1`, auditor.token)).body.items as { eventId: string }[];
      const statuses: number[] = [];
      // No checkpoint is signed in this suite: 409 EVENT_NOT_SIGNED_YET, once the event's index is counted.
      for (let i = 0; i < 4; i++) statuses.push((await call(suite.server, 'GET', `/v1/orgs/${owner.orgId}/audit-log/inclusion?eventId=${event.eventId}`, auditor.token)).status);
      expect(statuses).toEqual([409, 409, 409, 429]);
      const refused = await call(suite.server, 'GET', `/v1/orgs/${owner.orgId}/audit-log/inclusion?eventId=${event.eventId}`, auditor.token);
      expectProblem(refused, 429, 'RATE_LIMITED');
      expect(refused.body.limit).toBe('heavy_reads_per_agent');
      expectProblem(await call(suite.server, 'GET', `/v1/orgs/${owner.orgId}/audit-log/inclusion?index=0&size=1`, auditor.token), 404, 'CHECKPOINT_NOT_FOUND');
    });

    it('a member without a key writes refused sensitive tasks only up to the limit: after it, 429 and nothing more in the log', async () => {
      const member = await suite.journey.addAgent(owner, 'keyless');
      for (let i = 0; i < 4; i++) expectProblem(await suite.journey.sensitiveTask(member, 'laptop', `task-${i}`), 401, 'NO_ACTIVE_KEY');
      for (let i = 0; i < 5; i++) await expectNothingWritten(suite.server, async () => expectProblem(await suite.journey.sensitiveTask(member, 'laptop', 'again'), 429, 'RATE_LIMITED'));
    });

    it('an agent adds only so many browsers: an invented browser id past the limit is 429 and grows nothing', async () => {
      const member = await suite.journey.addAgent(owner, 'collector');
      expect((await suite.journey.logout(member, 'browser-1')).status).toBe(200);
      expect((await suite.journey.logout(member, 'browser-2')).status).toBe(200);
      await expectNothingWritten(suite.server, async () => {
        const refused = await suite.journey.logout(member, 'browser-3');
        expectProblem(refused, 429, 'RATE_LIMITED');
        expect(refused.body.limit).toBe('new_browsers_per_agent');
      });
      // A browser already known is no new one (the refused call counted as a browser action: this is the 4th).
      expect((await suite.journey.logout(member, 'browser-1')).status).toBe(200);
    });

    it('wrong verification codes sent at once across requests are recorded only up to the limit: the rest are 429, not each let through by a check made before any was counted', async () => {
      // An approver of their own, whose wrong codes the test below does not share: five challenges, the limit's five.
      const racer = await suite.journey.addAgent(owner, 'racer', 'ADMIN');
      await suite.journey.activeKey(racer, owner);
      const requests: { requestId: string }[] = [];
      for (const member of [await suite.journey.addAgent(owner, 'fourth'), await suite.journey.addAgent(owner, 'fifth')]) requests.push((await suite.journey.requestKey(member)).body);
      const attempts = await Promise.all(
        [...requests, ...requests].map(async ({ requestId }) => ({
          requestId,
          ...(await suite.journey.signed(racer, racer.key!, { purpose: 'KEY_DECISION', requestId, decision: 'APPROVE' })),
        })),
      );
      const answers = await Promise.all(
        attempts.map(({ requestId, challengeId, signature }) =>
          call(suite.server, 'POST', `/v1/orgs/${racer.orgId}/key-requests/${requestId}/approve`, racer.token, { challengeId, signature, verificationCode: WRONG_CODE }),
        ),
      );
      expect(answers.map((answer) => `${answer.status} ${answer.body.code}`).sort()).toEqual(['422 VERIFICATION_CODE_MISMATCH', '422 VERIFICATION_CODE_MISMATCH', '429 RATE_LIMITED', '429 RATE_LIMITED']);
      const failed = (await loggedEvents(suite.server, owner.orgId)).filter((event) => event.type === 'KeyApprovalAttemptFailed' && event.metadata.actor === 'racer');
      expect(failed).toHaveLength(2);
    });

    it('an approver gets so many wrong verification codes across requests: then even the right one waits, and nothing is written', async () => {
      const refusedBefore = await refusals(suite.server, 'wrong_codes_per_agent');
      const members = [await suite.journey.addAgent(owner, 'first'), await suite.journey.addAgent(owner, 'second'), await suite.journey.addAgent(owner, 'third')];
      const requests: { requestId: string; verificationCode: string }[] = [];
      for (const member of members) requests.push((await suite.journey.requestKey(member)).body);
      expectProblem(await suite.journey.decide(owner, requests[0].requestId, 'APPROVE', { verificationCode: WRONG_CODE }), 422, 'VERIFICATION_CODE_MISMATCH');
      expectProblem(await suite.journey.decide(owner, requests[1].requestId, 'APPROVE', { verificationCode: WRONG_CODE }), 422, 'VERIFICATION_CODE_MISMATCH');
      const { challengeId, signature } = await suite.journey.signed(owner, owner.key!, { purpose: 'KEY_DECISION', requestId: requests[2].requestId, decision: 'APPROVE' });
      await expectNothingWritten(suite.server, async () => {
        const refused = await call(suite.server, 'POST', `/v1/orgs/${owner.orgId}/key-requests/${requests[2].requestId}/approve`, owner.token, {
          challengeId,
          signature,
          verificationCode: requests[2].verificationCode,
        });
        expectProblem(refused, 429, 'RATE_LIMITED');
        expect(refused.body.limit).toBe('wrong_codes_per_agent');
      });
      expect(await refusals(suite.server, 'wrong_codes_per_agent')).toBe(refusedBefore + 1);
    });

    it('a member asking for a key again and again writes, and so mails the approvers, only up to the limit', async () => {
      // Each KeyRequested mails every approver with an ACTIVE key (R12); emails are planned from the log alone.
      if (!owner.key) await suite.journey.activeKey(owner, owner);
      const member = await suite.journey.addAgent(owner, 'pester');
      expect((await suite.journey.requestKey(member)).status).toBe(201);
      expect((await suite.journey.requestKey(member, { replacePending: true })).status).toBe(201);
      await expectNothingWritten(suite.server, async () => {
        const refused = await suite.journey.requestKey(member, { replacePending: true });
        expectProblem(refused, 429, 'RATE_LIMITED');
        expect(refused.body.limit).toBe('key_requests_per_agent');
      });
    });

    it('org creation is limited per client address', async () => {
      await suite.journey.createOrg('second-owner');
      await expectNothingWritten(suite.server, async () => {
        const refused = await call(suite.server, 'POST', '/v1/orgs', suite.server.bootstrapToken, { name: 'Third', superAdmin: { agentId: 'x', email: 'x@example.com', displayName: 'X' } });
        expectProblem(refused, 429, 'RATE_LIMITED');
        expect(refused.body.limit).toBe('orgs_per_address');
      });
    });
  });

  describe("an org's budgets are spent only by what its members may do", () => {
    // Per-agent limits generous, per-org ones small: what a caller refused for access or input spends is visible at once.
    const suite = serverForSuite({
      RATE_LIMIT_HEAVY_READS_PER_ORG: '3/60',
      RATE_LIMIT_KEY_REQUESTS_PER_ORG: '2/3600',
      RATE_LIMIT_CHALLENGES_PER_ORG: '12/60',
      RATE_LIMIT_BROWSER_ACTIONS_PER_ORG: '3/60',
    });
    let owner: TestAgent;

    beforeAll(async () => {
      owner = await suite.journey.createOrg('owner');
    });

    it("two MEMBERs refused the audit export (403) do not use up the org's heavy reads: its AUDITOR still exports", async () => {
      const members = [await suite.journey.addAgent(owner, 'nosy-1'), await suite.journey.addAgent(owner, 'nosy-2')];
      for (let i = 0; i < 3; i++) {
        for (const member of members) expectProblem(await call(suite.server, 'GET', `/v1/orgs/${owner.orgId}/audit-log/export`, member.token), 403, 'NOT_ALLOWED');
      }
      // An outsider's token (another org's SUPER_ADMIN) names this org: 404, as if it did not exist (R14).
      const outsider = await suite.journey.createOrg('outsider');
      for (let i = 0; i < 3; i++) expectProblem(await call(suite.server, 'GET', `/v1/orgs/${owner.orgId}/audit-log/export`, outsider.token), 404, 'ORG_NOT_FOUND');
      // A bad query (400) is refused input, and an X-Min-Position past the log's end no position a command answered.
      const auditor = await suite.journey.addAgent(owner, 'compliance', 'AUDITOR');
      expectProblem(await call(suite.server, 'GET', `/v1/orgs/${owner.orgId}/audit-log/export?from=yesterday`, auditor.token), 400);
      // A time range that ends before it starts, found by the handler (not the query's schema): refused input too.
      for (let i = 0; i < 3; i++)
        expectProblem(await call(suite.server, 'GET', `/v1/orgs/${owner.orgId}/audit-log/export?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z`, auditor.token), 400, 'INVALID_TIME_RANGE');
      expectProblem(await call(suite.server, 'GET', `/v1/orgs/${owner.orgId}/as-of?at=now`, auditor.token), 400);
      // An instant later than now, found by the query (not the query string's schema): refused input too.
      for (let i = 0; i < 3; i++) expectProblem(await call(suite.server, 'GET', `/v1/orgs/${owner.orgId}/as-of?at=2999-01-01T00:00:00Z`, auditor.token), 400, 'AT_IN_FUTURE');
      expect((await call(suite.server, 'GET', `/v1/orgs/${owner.orgId}/audit-log/export`, auditor.token)).status).toBe(200);
      expect((await call(suite.server, 'GET', `/v1/orgs/${owner.orgId}/as-of?at=${new Date().toISOString()}`, auditor.token)).status).toBe(200);
      // The org's limit still holds for those it admits.
      expect((await call(suite.server, 'GET', `/v1/orgs/${owner.orgId}/audit-log/export`, owner.token)).status).toBe(200);
      const over = await call(suite.server, 'GET', `/v1/orgs/${owner.orgId}/audit-log/export`, auditor.token);
      expectProblem(over, 429, 'RATE_LIMITED');
      expect(over.body.limit).toBe('heavy_reads_per_org');
    });

    it("inclusion proofs by event id spend the org's heavy reads once the caller is admitted: a MEMBER's 403 spends none", async () => {
      const admin = await suite.journey.createOrg('prover-org');
      const member = await suite.journey.addAgent(admin, 'curious');
      const [event] = (await call(suite.server, 'GET', `/v1/orgs/${admin.orgId}/audit-log?limit=1`, admin.token)).body.items as { eventId: string }[];
      const inclusion = (agent: TestAgent) => call(suite.server, 'GET', `/v1/orgs/${admin.orgId}/audit-log/inclusion?eventId=${event.eventId}`, agent.token);
      for (let i = 0; i < 3; i++) expectProblem(await inclusion(member), 403, 'NOT_ALLOWED');
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await inclusion(admin)).status);
      expect(statuses).toEqual([409, 409, 409, 429]);
      expect((await inclusion(admin)).body.limit).toBe('heavy_reads_per_org');
    });

    it("a removed agent whose token is still valid, or a member with bad bodies, does not drain the org's key requests or challenges; the members still request keys", async () => {
      const leaver = await suite.journey.addAgent(owner, 'leaver');
      const signedBefore = [];
      for (let i = 0; i < 3; i++) {
        const key = generateKeyPair();
        signedBefore.push({ publicKey: key.publicKey, ...(await suite.journey.signed(leaver, key, { purpose: 'KEY_REQUEST', publicKey: key.publicKey })) });
      }
      expect((await suite.journey.removeAgent(owner, 'leaver')).status).toBe(200);
      for (const { publicKey, challengeId, signature } of signedBefore) {
        await expectNothingWritten(suite.server, async () =>
          expectProblem(await call(suite.server, 'POST', `/v1/orgs/${owner.orgId}/key-requests`, leaver.token, { publicKey, challengeId, signature }), 403, 'NOT_A_MEMBER'),
        );
      }
      for (let i = 0; i < 12; i++) expectProblem(await keyRequestChallenge(suite.server, leaver), 403, 'NOT_A_MEMBER');
      const member = await suite.journey.addAgent(owner, 'stayer');
      for (let i = 0; i < 3; i++) expectProblem(await call(suite.server, 'POST', `/v1/orgs/${owner.orgId}/key-requests`, member.token, { publicKey: 'x' }), 400);
      expect((await suite.journey.requestKey(owner)).status).toBe(201);
      expect((await suite.journey.requestKey(member)).status).toBe(201);
      const third = await suite.journey.addAgent(owner, 'third');
      await expectNothingWritten(suite.server, async () => {
        const over = await suite.journey.requestKey(third);
        expectProblem(over, 429, 'RATE_LIMITED');
        expect(over.body.limit).toBe('key_requests_per_org');
      });
    });

    it("browser actions refused for access (another agent's browser, a removed agent) do not spend the org's: its members still act", async () => {
      const member = await suite.journey.addAgent(owner, 'worker');
      const gone = await suite.journey.addAgent(owner, 'gone');
      expect((await suite.journey.removeAgent(owner, 'gone')).status).toBe(200);
      for (let i = 0; i < 3; i++) {
        expectProblem(await call(suite.server, 'POST', `/v1/orgs/${owner.orgId}/agents/worker/browsers/laptop/logout`, gone.token), 403);
        expectProblem(await suite.journey.logout(gone, 'laptop'), 403, 'NOT_A_MEMBER');
      }
      for (let i = 0; i < 3; i++) expect((await suite.journey.logout(member, 'laptop')).status).toBe(200);
    });
  });

  it('every API request counts against its client address', async () => {
    const server = await startTestServer({ RATE_LIMIT_API_PER_ADDRESS: '4/60' });
    try {
      const owner = await new Journey(server).createOrg('owner');
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await call(server, 'GET', `/v1/orgs/${owner.orgId}`, owner.token)).status);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      // Health and metrics are not API requests.
      expect((await call(server, 'GET', '/health/live')).status).toBe(200);
      expect(await refusals(server, 'api_per_address')).toBe(2);
    } finally {
      await server.close();
    }
  });

  it('without TRUSTED_PROXIES a caller cannot pick its own bucket: X-Forwarded-For, Forwarded and X-Real-IP, new at each request, all count against its address', async () => {
    const server = await startTestServer({ RATE_LIMIT_API_PER_ADDRESS: '3/60' });
    try {
      const statuses: number[] = [];
      for (let i = 1; i <= 4; i++) {
        const address = `203.0.113.${i}`;
        statuses.push((await call(server, 'GET', '/v1/log-key', undefined, undefined, { 'x-forwarded-for': address, forwarded: `for=${address}`, 'x-real-ip': address })).status);
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
    } finally {
      await server.close();
    }
  });

  it('an IPv6 client counts by its /64, which one host holds whole: new addresses in it share its budget', async () => {
    const server = await startTestServer({ RATE_LIMIT_API_PER_ADDRESS: '3/60', TRUSTED_PROXIES: '127.0.0.1' });
    try {
      expect(await forwardedFor(server, '2001:db8:1:2::1', '2001:db8:1:2::2', '2001:DB8:1:2:ffff:ffff:ffff:ffff', '2001:0db8:0001:0002:0:0:0:3')).toEqual([200, 200, 200, 429]);
      // Another /64 has its own budget; an IPv4 client counts by its address, written either way.
      expect(await forwardedFor(server, '2001:db8:1:3::1')).toEqual([200]);
      expect(await forwardedFor(server, '203.0.113.9', '::ffff:203.0.113.9', '203.0.113.9', '::ffff:cb00:7109')).toEqual([200, 200, 200, 429]);
      expect(await forwardedFor(server, '203.0.113.10')).toEqual([200]);
    } finally {
      await server.close();
    }
  });

  it("behind a trusted proxy a client neither picks a bucket nor spends another's: the port a proxy writes after the address, and the addresses a client puts before the proxy's, count for nothing", async () => {
    // Some proxies forward the client's address with its port (203.0.113.9:4711, [2001:db8::1]:4711): a new connection, a new port.
    const server = await startTestServer({ RATE_LIMIT_API_PER_ADDRESS: '3/60', TRUSTED_PROXIES: '127.0.0.1' });
    try {
      expect(await forwardedFor(server, '203.0.113.9:4711', '203.0.113.9:4712', '203.0.113.9', '203.0.113.9:4713')).toEqual([200, 200, 200, 429]);
      expect(await forwardedFor(server, '[2001:db8:1:2::1]:4711', '[2001:db8:1:2::2]:4712', '2001:db8:1:2::3', '[2001:db8:1:2::4]')).toEqual([200, 200, 200, 429]);
      // The proxy appends the address it saw: what the client sent before it is not believed, so 198.51.100.7 keeps its budget.
      expect(await forwardedFor(server, ...Array<string>(4).fill('198.51.100.7, 203.0.113.10'))).toEqual([200, 200, 200, 429]);
      expect(await forwardedFor(server, '198.51.100.7')).toEqual([200]);
    } finally {
      await server.close();
    }
  });

  it('a request target in absolute form (http://host/v1/...) counts against its address like its path', async () => {
    // RFC 9112 §3.2.2: servers take the absolute form, and the router routes it to the same handler.
    const server = await startTestServer({ RATE_LIMIT_API_PER_ADDRESS: '3/60' });
    try {
      const statuses: number[] = [];
      for (const target of ['http://ztkeys/v1/log-key', 'HTTP://ztkeys/v1/log-key', 'https://ztkeys:443/v1/log-key', '/v1/log-key']) {
        statuses.push((await rawCall(server, `GET ${target} HTTP/1.1\r\nHost: ztkeys\r\n`)).status);
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
      expect(await refusals(server, 'api_per_address')).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('a path with percent-encoded letters or digits (/%761/..., which the router routes as /v1/...) counts against its address like its path', async () => {
    // RFC 3986 §6.2.2.2: an encoded unreserved character is the character; the router decodes it, so must every check.
    const server = await startTestServer({ RATE_LIMIT_API_PER_ADDRESS: '4/60' });
    try {
      const get = (target: string) => rawCall(server, `GET ${target} HTTP/1.1\r\nHost: ztkeys\r\n`);
      // Its undeclared query is refused as on /v1/log-key.
      expectProblem(await get('/%761/log-key?debug=1'), 400, 'INVALID_INPUT');
      const statuses: number[] = [];
      for (const target of ['/%761/log-key', '/v%31/log-key', '/%76%31/%6C%6fg-key', '/v1/log-key']) statuses.push((await get(target)).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
    } finally {
      await server.close();
    }
  });

  it("an approve from a caller who is no approver of the org (a MEMBER, a removed ADMIN) never holds a place in the org's wrong-code limit, not even while it is decided", async () => {
    // Held for a moment, such approves sent without end by a few callers keep the org's places taken,
    // and its approvers' approves are 429 for the window. In Redis every place taken is a command on the org's key.
    const { prefix, drop } = namespace();
    const server = await startTestServer({ REDIS_URL, REDIS_KEY_PREFIX: prefix });
    const journey = new Journey(server);
    const redis = new Redis(REDIS_URL);
    const monitor = await redisMonitor(redis);
    try {
      const owner = await journey.createOrg('owner');
      await journey.activeKey(owner, owner);
      await countingInRedis(server, owner, redis, prefix);
      const requested = await journey.requestKey(await journey.addAgent(owner, 'newcomer'));
      const leaving = await journey.addAgent(owner, 'leaving', 'ADMIN');
      await journey.activeKey(leaving, owner);
      const leavingDecision = await journey.signed(leaving, leaving.key!, { purpose: 'KEY_DECISION', requestId: requested.body.requestId, decision: 'APPROVE' });
      expect((await journey.removeAgent(owner, 'leaving')).status).toBe(200);
      const member = await journey.addAgent(owner, 'member');
      // What changes the org's key (a place taken or given back); reading it (GET, PTTL) takes none.
      const orgKey = `"${prefix}:rate:wrong_codes_per_org:${owner.orgId}"`;
      const placesTaken = async () => (await monitor.lines()).filter((line) => line.includes(orgKey) && !/\] "(get|pttl)" /i.test(line));
      await placesTaken();

      const approve = (agent: TestAgent, body: Record<string, unknown>) => call(server, 'POST', `/v1/orgs/${owner.orgId}/key-requests/${requested.body.requestId}/approve`, agent.token, body);
      const { challengeId, signature } = leavingDecision;
      expectProblem(await approve(leaving, { challengeId, signature, verificationCode: WRONG_CODE }), 403, 'NOT_A_MEMBER');
      expectProblem(await approve(member, { challengeId, signature, verificationCode: WRONG_CODE }), 403);
      expect(await placesTaken()).toEqual([]);
      // An approver's wrong code is what the org's limit counts, and the monitor sees it.
      expectProblem(await journey.decide(owner, requested.body.requestId, 'APPROVE', { verificationCode: WRONG_CODE }), 422, 'VERIFICATION_CODE_MISMATCH');
      expect((await placesTaken()).length).toBeGreaterThan(0);
    } finally {
      monitor.close();
      await server.close();
      await drop(redis);
      redis.disconnect();
    }
  });

  it('while Redis takes commands and answers none (a network gone quiet, no reset), requests are answered and limited in memory, as while it is away', async () => {
    const hop = await quietableRedisHop();
    const { prefix, drop } = namespace();
    const server = await startTestServer({ REDIS_URL: hop.url, REDIS_KEY_PREFIX: prefix, RATE_LIMIT_CHALLENGES_PER_AGENT: '3/60' });
    const redis = new Redis(REDIS_URL);
    try {
      const journey = new Journey(server);
      const owner = await journey.createOrg('owner');
      await countingInRedis(server, owner, redis, prefix);
      const member = await journey.addAgent(owner, 'patient');
      hop.quiet();
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await keyRequestChallenge(server, member)).status);
      expect(statuses).toEqual([201, 201, 201, 429]);
    } finally {
      hop.thaw();
      await server.close();
      await hop.close();
      await drop(redis);
      redis.disconnect();
    }
  });

  it('two instances sharing Redis share one limit', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ztkeys-rate-'));
    const { prefix, drop } = namespace();
    const env = { DATA_DIR: dataDir, REDIS_URL, REDIS_KEY_PREFIX: prefix, RATE_LIMIT_CHALLENGES_PER_AGENT: '4/60' };
    const first = await startTestServer(env);
    const second = await startTestServer({ ...env, ROLES: 'api' });
    try {
      const owner = await new Journey(first).createOrg('owner');
      const member = await new Journey(first).addAgent(owner, 'roamer');
      const redis = new Redis(REDIS_URL);
      try {
        for (const [server, probe] of [[first, 'probe-1'], [second, 'probe-2']] as const) await countingInRedis(server, await new Journey(first).addAgent(owner, probe), redis, prefix);
      } finally {
        redis.disconnect();
      }
      const statuses: number[] = [];
      for (const server of [first, second, first, second, first, second]) statuses.push((await keyRequestChallenge(server, member)).status);
      expect(statuses).toEqual([201, 201, 201, 201, 429, 429]);
      expect(await refusals(first, 'challenges_per_agent')).toBe(1);
      expect(await refusals(second, 'challenges_per_agent')).toBe(1);
    } finally {
      await second.close();
      await first.close();
      rmSync(dataDir, { recursive: true, force: true });
      const redis = new Redis(REDIS_URL);
      await drop(redis);
      redis.disconnect();
    }
  });
});
