import { Controller, Get, Module, Req } from '@nestjs/common';
import { SignJWT } from 'jose';
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyRequest } from 'fastify';
import { Public } from '../../src/auth/access.decorators';
import { mintAgentToken } from '../../src/auth/token-minter';
import { checkedFetch } from '../support/answer-contract';
import { closedPort } from '../support/closed-port';
import { rawCall } from '../support/raw-http';
import { call, type TestAgent } from '../support/api-client';
import { startJwksServer, type JwksServer } from '../support/jwks-server';
import { startTestServer, type TestServer } from '../support/test-server';
import { serverForSuite } from '../support/server-for-suite';
import { expectAccepted, expectNothingWritten, expectProblem } from './expectations';

const HOUR = 3600;
const now = () => Math.floor(Date.now() / 1000);

/** Every file under `dir`, at any depth. */
const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
const mode = (path: string) => statSync(path).mode & 0o777;

/** Attacks from outside over HTTP, each once possible (issue 12); every one must stay refused. */
describe('security limits', () => {
  describe('agent tokens are bound to this API (issuer, audience, times, lifetime)', () => {
    let jwks: JwksServer;
    let server: TestServer;
    let orgId: string;
    const ISSUER = 'https://login.example.com/';
    const AUDIENCE = 'ztkeys-api';

    beforeAll(async () => {
      jwks = await startJwksServer();
      server = await startTestServer({ JWKS_URL: jwks.url, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE });
      const created = await call(server, 'POST', '/v1/orgs', server.bootstrapToken, { name: 'Acme', superAdmin: { agentId: 'alice', email: 'alice@example.com', displayName: 'Alice' } });
      expectAccepted(created, 201);
      orgId = created.body.orgId;
    });
    afterAll(async () => {
      await server.close();
      await jwks.close();
    });

    const claims = (extra: Record<string, unknown> = {}) => ({ sub: 'alice', org: orgId, iss: ISSUER, aud: AUDIENCE, iat: now(), exp: now() + HOUR, ...extra });
    const readOrg = async (token: string) => call(server, 'GET', `/v1/orgs/${orgId}`, token);

    it('accepts a token of the key set for this issuer and audience', async () => {
      expect((await readOrg(await jwks.sign(claims()))).status).toBe(200);
      expect((await readOrg(await jwks.sign(claims({ aud: ['other-app', AUDIENCE] })))).status).toBe(200);
    });

    it.each([
      ['another issuer', { iss: 'https://evil.example.com/' }],
      ['another application (audience)', { aud: 'payroll-app' }],
      ['no issuer', { iss: undefined }],
      ['no audience', { aud: undefined }],
      ['no iat', { iat: undefined }],
      ['an iat an hour ahead', { iat: now() + HOUR, exp: now() + 2 * HOUR }],
      ['an nbf an hour ahead', { nbf: now() + HOUR }],
      ['an exp a hundred years ahead', { exp: now() + 100 * 365 * 24 * HOUR }],
      ['a lifetime over 24 h (exp - iat)', { iat: now() - 23 * HOUR, exp: now() + 2 * HOUR }],
    ])('refuses a token with %s (401)', async (_, extra) => {
      expectProblem(await readOrg(await jwks.sign(claims(extra))), 401, 'UNAUTHENTICATED');
    });

    it("answers 503 with Retry-After, not 401, while the provider's key set cannot be fetched", async () => {
      const port = await closedPort();
      const cut = await startTestServer({ JWKS_URL: `http://127.0.0.1:${port}/jwks.json`, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE });
      try {
        const response = await checkedFetch(`${cut.url}/v1/orgs/${orgId}`, { headers: { authorization: `Bearer ${await jwks.sign(claims())}` } });
        expect([response.status, response.headers.get('retry-after')]).toEqual([503, '2']);
        expect(await response.json()).toMatchObject({ code: 'STORE_UNAVAILABLE', detail: expect.stringContaining("the identity provider's key set (JWKS_URL) is unavailable") });
        // No token, no fetch: still a 401.
        expectProblem(await call(cut, 'GET', `/v1/orgs/${orgId}`, ''), 401, 'UNAUTHENTICATED');
      } finally {
        await cut.close();
      }
    });

    it('refuses to start with JWKS_URL but no JWT_ISSUER or JWT_AUDIENCE', async () => {
      await expect(startTestServer({ JWKS_URL: jwks.url, JWT_AUDIENCE: AUDIENCE })).rejects.toThrow(/JWT_ISSUER/);
      await expect(startTestServer({ JWKS_URL: jwks.url, JWT_ISSUER: ISSUER })).rejects.toThrow(/JWT_AUDIENCE/);
    });
  });

  describe('embedded HS256 tokens carry and are checked for the same claims', () => {
    const suite = serverForSuite({ JWT_SECRET: 'a-one-machine-secret-of-32-bytes-or-more' });
    let alice: TestAgent;
    beforeAll(async () => {
      alice = await suite.journey.createOrg('alice');
    });

    it("accepts the minter's tokens and refuses tokens of the same secret without issuer and audience, or living too long", async () => {
      const secret = new TextEncoder().encode('a-one-machine-secret-of-32-bytes-or-more');
      const readOrg = (token: string) => call(suite.server, 'GET', `/v1/orgs/${alice.orgId}`, token);
      expect((await readOrg(alice.token)).status).toBe(200);
      const bare = await new SignJWT({ org: alice.orgId }).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').setIssuedAt().setExpirationTime('1h').sign(secret);
      expectProblem(await readOrg(bare), 401, 'UNAUTHENTICATED');
      expectProblem(await readOrg(await mintAgentToken('a-one-machine-secret-of-32-bytes-or-more', { agentId: 'alice', orgId: alice.orgId }, 100 * 365 * 24 * HOUR)), 401);
    });

    it('reads the scheme of Authorization in any case and after more than one space (RFC 9110 11.1, RFC 6750 2.1), and nothing else as a token', async () => {
      const readOrg = (authorization: string) => call(suite.server, 'GET', `/v1/orgs/${alice.orgId}`, undefined, undefined, { authorization });
      for (const header of [`Bearer ${alice.token}`, `bearer ${alice.token}`, `BEARER ${alice.token}`, `Bearer   ${alice.token}`]) expect((await readOrg(header)).status).toBe(200);
      for (const header of [`Bearer${alice.token}`, `Basic ${alice.token}`, `Bearer ${alice.token} extra`, `Bearer\t${alice.token}`, alice.token]) {
        expectProblem(await readOrg(header), 401, 'UNAUTHENTICATED');
      }
    });
  });

  describe('one server for the rest', () => {
    const suite = serverForSuite();
    let alice: TestAgent;
    let base: string;

    beforeAll(async () => {
      alice = await suite.journey.createOrg('alice');
      await suite.journey.addAgent(alice, 'bob');
      base = `/v1/orgs/${alice.orgId}`;
    });

    describe('deeply nested JSON is refused before validation (400, not a stack overflow)', () => {
      const nested = (depth: number, leaf = '"x"') => `${'['.repeat(depth)}${leaf}${']'.repeat(depth)}`;

      it('refuses 1,500 levels on a command endpoint and 5,000 on POST /v1/orgs', async () => {
        await expectNothingWritten(suite.server, async () => {
          const patch = await call(suite.server, 'PATCH', `${base}/agents/bob`, alice.token, `{"role":${nested(1500)}}`);
          expectProblem(patch, 400, 'JSON_TOO_DEEP');
          const orgs = await call(suite.server, 'POST', '/v1/orgs', suite.server.bootstrapToken, `{"name":"Acme","superAdmin":{"agentId":${nested(5000, '{"a":1}')}}}`);
          expectProblem(orgs, 400, 'JSON_TOO_DEEP');
          // Brackets inside strings are text, not depth.
          const text = await call(suite.server, 'POST', `${base}/sensitive-tasks`, alice.token, { browserId: 'b1', task: '['.repeat(2000), extra: 1 });
          expectProblem(text, 400, 'INVALID_INPUT');
        });
      });

      it('still takes ordinary nesting (a 32-deep unknown field is an ordinary 400)', async () => {
        const reply = await call(suite.server, 'PATCH', `${base}/agents/bob`, alice.token, `{"role":"ADMIN","extra":${nested(30)}}`);
        expectProblem(reply, 400, 'INVALID_INPUT');
      });
    });

    describe('audit-log dates are RFC 3339 only', () => {
      // Also no time that is not one: a day past its month's end (29 February of a common year), an hour 24, a minute or second 60, an offset of 24 hours.
      const NO_TIME = ['2021-02-29', '1900-02-29', '2020-04-31', '2020-13-01', '2020-01-01T24:00:00Z', '2020-01-01T23:60:00Z', '2020-01-01T23:59:60Z', '2020-01-01T10:00:00+24:00', '2020-01-01T10:00:00-02:60'];
      const BAD = ['2020-W01', '2020-123', '20200101', '2020-01-01T10', '2020-01-01T10:00:00,5Z', '2020-01-01T10:00', '2020-01-01T10:00:00', '2020-02-30', '2020-01-01 10:00:00Z', ...NO_TIME];
      const GOOD = ['2020-01-01', '2020-01-01T10:00:00Z', '2020-01-01T10:00:00.5+02:00', '2020-01-01T10:00:00.123456-05:30', '2024-02-29', '2000-02-29T23:59:59.999999999-23:59'];

      it.each(BAD)('answers 400 to %s on from, to and the export', async (date) => {
        for (const path of ['audit-log', 'audit-log/export']) {
          for (const field of ['from', 'to']) {
            const reply = await call(suite.server, 'GET', `${base}/${path}?${field}=${encodeURIComponent(date)}`, alice.token);
            expectProblem(reply, 400, 'INVALID_INPUT');
            expect(reply.body.detail).toMatch(new RegExp(field));
          }
        }
      });

      it.each(GOOD)('accepts %s', async (date) => {
        expect((await call(suite.server, 'GET', `${base}/audit-log?from=${encodeURIComponent(date)}`, alice.token)).status).toBe(200);
        expect((await call(suite.server, 'GET', `${base}/audit-log/export?to=${encodeURIComponent(date)}`, alice.token)).status).toBe(200);
      });
    });

    it('refuses an agent id that differs from one in the org only in case (409), so the audit log never shows BOB beside bob', async () => {
      const owner = await suite.journey.createOrg('Olivia');
      const path = `/v1/orgs/${owner.orgId}/agents`;
      expectAccepted(await call(suite.server, 'POST', path, owner.token, { agentId: 'bob', email: 'bob@example.com', displayName: 'Bob', role: 'MEMBER' }), 201);
      await expectNothingWritten(suite.server, async () => {
        for (const [agentId, existing] of [['BOB', 'bob'], ['Bob', 'bob'], ['olivia', 'Olivia']]) {
          const reply = await call(suite.server, 'POST', path, owner.token, { agentId, email: 'other@example.com', displayName: 'Other', role: 'MEMBER' });
          expectProblem(reply, 409, 'AGENT_ID_TAKEN_IN_OTHER_CASE');
          expect(reply.body).toMatchObject({ agentId: existing });
          expect(reply.body.detail).toContain(`Agent "${existing}" is already in this organization`);
        }
      });
      // Once bob is removed, the id is free in any case.
      expectAccepted(await call(suite.server, 'DELETE', `${path}/bob`, owner.token), 200);
      expectAccepted(await call(suite.server, 'POST', path, owner.token, { agentId: 'BOB', email: 'bob@example.com', displayName: 'Bob', role: 'MEMBER' }), 201);
    });

    describe('nobody else is the operator', () => {
      it.each(['operator', 'Operator', 'system', 'policy', 'log'])('refuses %s as an agent id, when adding an agent and when creating an org (422)', async (agentId) => {
        await expectNothingWritten(suite.server, async () => {
          expectProblem(await call(suite.server, 'POST', `${base}/agents`, alice.token, { agentId, email: 'op@example.com', displayName: 'Op', role: 'ADMIN' }), 422, 'AGENT_ID_RESERVED');
          const org = await call(suite.server, 'POST', '/v1/orgs', suite.server.bootstrapToken, { name: 'Evil', superAdmin: { agentId, email: 'op@example.com', displayName: 'Op' } });
          expectProblem(org, 422, 'AGENT_ID_RESERVED');
        });
      });

      it('takes an agent token whose sub is operator for a stranger to the org, not for the operator: it reads no recovery (403)', async () => {
        const other = await suite.journey.createOrg('olga');
        expectAccepted(await call(suite.server, 'POST', `/v1/orgs/${other.orgId}/recoveries`, suite.server.bootstrapToken, { agentId: 'olga' }), 201);
        const path = `/v1/orgs/${other.orgId}/recovery`;
        expect((await call(suite.server, 'GET', path, suite.server.bootstrapToken)).status).toBe(200);
        // An identity provider may well have a user named operator; the org's directory cannot.
        const named = await suite.server.token(other.orgId, 'operator');
        expectProblem(await call(suite.server, 'GET', path, named), 403, 'NOT_A_MEMBER');
      });
    });

    describe('field names of Object.prototype are unknown fields like any other', () => {
      it.each(['toString', 'constructor', 'valueOf', 'hasOwnProperty', '__defineGetter__'])('refuses %s at the top and nested (400)', async (field) => {
        await expectNothingWritten(suite.server, async () => {
          const patch = await call(suite.server, 'PATCH', `${base}/agents/bob`, alice.token, `{"role":"ADMIN","${field}":"x"}`);
          expectProblem(patch, 400, 'INVALID_INPUT');
          expect(patch.body.detail).toMatch(field);
          const org = await call(suite.server, 'POST', '/v1/orgs', suite.server.bootstrapToken, `{"name":"Acme","superAdmin":{"agentId":"zed","email":"z@example.com","displayName":"Z","${field}":1}}`);
          expectProblem(org, 400, 'INVALID_INPUT');
          expect(org.body.errors).toEqual([expect.objectContaining({ field: `superAdmin.${field}` })]);
          expectProblem(await call(suite.server, 'GET', `${base}/audit-log?${field}=1`, alice.token), 400, 'INVALID_INPUT');
        });
      });

      it('still refuses __proto__ (400)', async () => {
        await expectNothingWritten(suite.server, async () => {
          expectProblem(await call(suite.server, 'PATCH', `${base}/agents/bob`, alice.token, '{"role":"ADMIN","__proto__":"x"}'), 400);
        });
      });
    });

    describe('oversized requests and what /metrics tells', () => {
      it('answers 431 problem+json to an oversized header or URL', async () => {
        const header = await call(suite.server, 'GET', `${base}`, alice.token, undefined, { 'x-filler': 'a'.repeat(20_000) });
        expectProblem(header, 431);
        const url = await call(suite.server, 'GET', `${base}/audit-log?type=${'A'.repeat(20_000)}`, alice.token);
        expectProblem(url, 431);
      });

      it("names no framework in the router's refusals, which anyone reaches without a token: ztkeys' own codes, as every other problem", async () => {
        const head = (target: string) => `GET ${target} HTTP/1.1\r\nHost: ztkeys\r\n`;
        const refusals = [
          [await rawCall(suite.server, head(`${base}/key-requests/%FF`)), 400, 'REQUEST_TARGET_MALFORMED'],
          [await rawCall(suite.server, head('ftp://x/health/live')), 400, 'REQUEST_TARGET_MALFORMED'],
          [await call(suite.server, 'GET', `${base}/key-requests/${'a'.repeat(600)}`), 414, 'PATH_PARAMETER_TOO_LONG'],
        ] as const;
        for (const [reply, status, code] of refusals) {
          expectProblem(reply, status, code);
          expect(JSON.stringify(reply.body)).not.toMatch(/fst|fastify/i);
        }
      });

      it('does not tell the exact Node.js version', async () => {
        const metrics = await call(suite.server, 'GET', '/metrics');
        expect(metrics.status).toBe(200);
        expect(metrics.body).not.toContain(process.version.slice(1));
        expect(JSON.stringify((await call(suite.server, 'GET', '/health/ready')).body)).not.toContain(process.version.slice(1));
      });
    });

    describe('the API docs serve the files their page loads, and no other file of the Swagger UI package', () => {
      it('answers each file /docs and /docs/ name, and 404 problem details for the package manifest, its README, source maps and Node.js modules (they tell the exact Swagger UI version)', async () => {
        for (const page of ['/docs', '/docs/']) {
          const html = (await call<string>(suite.server, 'GET', page)).body;
          const named = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map(([, ref]) => new URL(ref, `${suite.server.url}${page}`).pathname);
          expect(named.length).toBeGreaterThan(4);
          for (const path of named) expect([path, (await call(suite.server, 'GET', path)).status]).toEqual([path, 200]);
        }
        const version = (require('swagger-ui-dist/package.json') as { version: string }).version;
        for (const file of ['package.json', 'README.md', 'LICENSE', 'NOTICE', 'swagger-ui-bundle.js.map', 'swagger-ui.css.map', 'absolute-path.js', 'index.js', 'swagger-ui-es-bundle.js', 'log.bundle-sizes.swagger-ui.txt']) {
          const answer = await call(suite.server, 'GET', `/docs/${file}`);
          expect([file, answer.status, answer.body.code]).toEqual([file, 404, 'NOT_FOUND']);
          expect(answer.contentType).toContain('application/problem+json');
          expect(JSON.stringify(answer.body)).not.toContain(version);
        }
      });
    });

    describe('answers of the API are kept by no cache, sniffed by no browser and framed by no page', () => {
      // Terminus answers health with "no-cache, no-store, must-revalidate" of its own.
      const API_HEADERS = { 'cache-control': expect.stringContaining('no-store'), 'x-content-type-options': 'nosniff', 'content-security-policy': "default-src 'none'; frame-ancestors 'none'" };
      const headersOf = async (path: string, init: RequestInit = {}): Promise<{ status: number; headers: Record<string, string> }> => {
        const response = await checkedFetch(`${suite.server.url}${path}`, init);
        await response.arrayBuffer();
        const headers: Record<string, string> = {};
        response.headers.forEach((value, name) => (headers[name] = value));
        return { status: response.status, headers };
      };
      const as = (token: string, init: RequestInit = {}): RequestInit => ({ ...init, headers: { authorization: `Bearer ${token}`, ...init.headers } });

      const cases: Array<[string, () => string, () => RequestInit, number]> = [
        ['an org read (200)', () => `${base}`, () => as(alice.token), 200],
        ['a refused command (400)', () => `${base}/key-requests`, () => as(alice.token, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }), 400],
        ['the audit export (NDJSON)', () => `${base}/audit-log/export`, () => as(alice.token), 200],
        ['a problem (404)', () => `${base}/key-requests/nope`, () => as(alice.token), 404],
        ['no token (401)', () => `${base}`, () => ({}), 401],
        ['an unknown route (404)', () => '/v1/nowhere', () => ({}), 404],
        ['the log key', () => '/v1/log-key', () => ({}), 200],
        ['readiness', () => '/health/ready', () => ({}), 200],
      ];
      it.each(cases)('%s', async (_case, path, init, status) => {
        const answer = await headersOf(path(), init());
        expect(answer.status).toBe(status);
        expect(answer.headers).toMatchObject(API_HEADERS);
      });

      it('leaves the console and the API docs their own script policies, and lets no other site frame them', async () => {
        const console = (await headersOf('/console/')).headers['content-security-policy'];
        // The console's whole policy in place of the pages' one, not beside it (two would read as one joined by a comma).
        expect([console.startsWith("default-src 'self'; script-src 'self'"), console.includes(',')]).toEqual([true, false]);
        for (const path of ['/console/nope.js', '/console//x']) {
          const page = await headersOf(path);
          // No framing and no sniffing for the console's 404s and refusals either.
          expect({ path, csp: page.headers['content-security-policy'], nosniff: page.headers['x-content-type-options'] }).toEqual({ path, csp: "frame-ancestors 'none'", nosniff: 'nosniff' });
        }
        for (const path of ['/docs', '/docs/', '/docs/nope.js']) {
          const page = await headersOf(path);
          // Swagger UI runs script files of its own only (it shares the console's origin, and so its keys): test/console/console-origin.spec.ts.
          expect({ path, csp: page.headers['content-security-policy'], nosniff: page.headers['x-content-type-options'] }).toEqual({
            path,
            csp: expect.stringMatching(/^default-src 'self'; script-src 'self'; .*frame-ancestors 'none'$/),
            nosniff: 'nosniff',
          });
        }
        expect((await headersOf('/docs')).status).toBe(200);
      });
    });

    it('keeps DATA_DIR 0700 and every store file 0600 (SQLite with -wal/-shm, secrets, outbox .eml)', async () => {
      await suite.journey.requestKey(alice);
      await suite.journey.requestKey(await suite.journey.addAgent(alice, 'bob2'));
      const deadline = Date.now() + 30_000;
      while (!filesUnder(suite.server.dataDir).some((file) => file.endsWith('.eml')) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      const files = filesUnder(suite.server.dataDir);
      for (const suffix of ['.eml', 'events.sqlite', 'events.sqlite-wal', 'events.sqlite-shm', 'read-models.sqlite-wal', 'email.sqlite', 'jwt-secret', 'bootstrap-token']) {
        expect(files.some((file) => file.endsWith(suffix))).toBe(true);
      }
      expect(mode(suite.server.dataDir).toString(8)).toBe('700');
      // A file gone since it was listed (an outbox .eml's temporary file, renamed into place) is not judged.
      const modes = files.flatMap((file) => {
        const stat = statSync(file, { throwIfNoEntry: false });
        return stat ? [{ file, mode: stat.mode & 0o777 }] : [];
      });
      expect(modes.filter(({ mode: fileMode }) => fileMode !== 0o600).map(({ file, mode: fileMode }) => `${file} ${fileMode.toString(8)}`)).toEqual([]);
    });
  });

  it('narrows modes that are too open at start (folder 0700, files 0600)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ztkeys-modes-'));
    try {
      await (await startTestServer({ DATA_DIR: dataDir })).close();
      chmodSync(dataDir, 0o755);
      const files = filesUnder(dataDir);
      expect(files.length).toBeGreaterThan(3);
      for (const file of files) chmodSync(file, 0o644);
      await (await startTestServer({ DATA_DIR: dataDir })).close();
      expect(mode(dataDir).toString(8)).toBe('700');
      expect(filesUnder(dataDir).filter((file) => mode(file) !== 0o600)).toEqual([]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  describe('network position', () => {
    @Controller('client-address')
    @Public()
    class ClientAddressController {
      @Get() address(@Req() request: FastifyRequest) {
        return { ip: request.ip };
      }
    }
    @Module({ controllers: [ClientAddressController] })
    class ClientAddressModule {}
    const module = { module: ClientAddressModule };

    it('ignores X-Forwarded-For by default, and honours it from a trusted proxy', async () => {
      const direct = await startTestServer({}, [module]);
      try {
        const reply = await call(direct, 'GET', '/client-address', undefined, undefined, { 'x-forwarded-for': '203.0.113.9' });
        expect(reply.body.ip).toBe('127.0.0.1');
      } finally {
        await direct.close();
      }
      const proxied = await startTestServer({ TRUSTED_PROXIES: '127.0.0.1' }, [module]);
      try {
        const reply = await call(proxied, 'GET', '/client-address', undefined, undefined, { 'x-forwarded-for': '203.0.113.9' });
        expect(reply.body.ip).toBe('203.0.113.9');
      } finally {
        await proxied.close();
      }
    });

    it('serves /metrics only with METRICS_TOKEN when it is set', async () => {
      const server = await startTestServer({ METRICS_TOKEN: 'a-scraper-token-of-32-bytes-or-more' });
      try {
        expectProblem(await call(server, 'GET', '/metrics'), 401, 'UNAUTHENTICATED');
        expectProblem(await call(server, 'GET', '/metrics', 'wrong-token'), 401, 'UNAUTHENTICATED');
        const reply = await call(server, 'GET', '/metrics', 'a-scraper-token-of-32-bytes-or-more');
        expect(reply.status).toBe(200);
        expect(reply.body).toMatch(/^# HELP process_cpu_user_seconds_total /m);
      } finally {
        await server.close();
      }
    });
  });
});
