import { randomBytes } from 'node:crypto';
import { mintAgentToken } from '../../src/auth/token-minter';
import { checkedFetch } from '../support/answer-contract';
import { createAcmeOverHttp } from '../support/acme-over-http';
import { generateKeyPair } from '../support/ed25519-keys';
import { startJwksServer, type JwksServer } from '../support/jwks-server';
import { ServerProcess } from '../ops/support/server-process';

const ISSUER = 'https://login.example.com/';
const AUDIENCE = 'ztkeys-api';
const BOOTSTRAP_TOKEN = 'token-types-probe-bootstrap-token-00000001';
const now = () => Math.floor(Date.now() / 1000);

/** The built server, started with org Acme (alice its SUPER_ADMIN) and a read of the org with a token. */
async function startWithOrg(env: Record<string, string>) {
  const server = ServerProcess.spawn({ BOOTSTRAP_TOKEN, ...env });
  const url = await server.listening();
  return { server, url, ...(await createAcmeOverHttp(url, BOOTSTRAP_TOKEN)) };
}

const problemOf = async (answer: Response) => ({ status: answer.status, type: answer.headers.get('content-type'), body: (await answer.json()) as Record<string, unknown> });

/**
 * Token confusion (RFC 8725 §3.11, §3.12), probed against the built server: a JWT the provider
 * signs for another purpose than access to this API (a logout token, an ID token, a security
 * event), and the server's own JWSs (agent tokens, challenge ids) in each other's place.
 */
describe('the type of a token', () => {
  describe('from an identity provider (JWKS_URL)', () => {
    let jwks: JwksServer;
    let server: ServerProcess;
    beforeAll(async () => {
      jwks = await startJwksServer();
    });
    afterEach(() => server?.dispose());
    afterAll(() => jwks.close());

    it('accepts access tokens (typ at+jwt, or an untyped JWT) and refuses any other type with a 401 naming it', async () => {
      const started = await startWithOrg({ JWKS_URL: jwks.url, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE });
      server = started.server;
      const claims = { sub: 'alice', org: started.orgId, iss: ISSUER, aud: AUDIENCE, iat: now(), exp: now() + 600 };
      for (const typ of ['at+jwt', 'application/at+jwt', 'AT+JWT', 'JWT', undefined]) {
        expect([typ, (await started.readOrg(await jwks.sign(claims, 'key-1', typ === undefined ? {} : { typ }))).status]).toEqual([typ, 200]);
      }
      for (const typ of ['logout+jwt', 'secevent+jwt', 'dpop+jwt', 'id_token+jwt', 'JOSE', 'JOSE+JSON', 'application/example', '']) {
        const refused = await problemOf(await started.readOrg(await jwks.sign(claims, 'key-1', { typ })));
        expect([typ, refused]).toEqual([
          typ,
          {
            status: 401,
            type: 'application/problem+json; charset=utf-8',
            body: expect.objectContaining({ code: 'UNAUTHENTICATED', detail: `The token is of type ${JSON.stringify(typ)}, not an access token: this API accepts the types at+jwt, JWT (JWT_TYPES).` }),
          },
        ]);
      }
    });

    it('refuses a logout token or an ID token that says so by its claims only (no typ, or JWT)', async () => {
      const started = await startWithOrg({ JWKS_URL: jwks.url, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE });
      server = started.server;
      const claims = { sub: 'alice', org: started.orgId, iss: ISSUER, aud: AUDIENCE, iat: now(), exp: now() + 600 };
      // OpenID Connect Back-Channel Logout 1.0: a logout token is a security event token (RFC 8417), with `events`.
      const logout = { ...claims, jti: 'l-1', sid: 's-1', events: { 'http://schemas.openid.net/event/backchannel-logout': {} } };
      expect(await problemOf(await started.readOrg(await jwks.sign(logout, 'key-1', { typ: 'JWT' })))).toMatchObject({
        status: 401,
        body: { code: 'UNAUTHENTICATED', detail: 'The token is a security event token (it carries `events`: a logout token, say), not an access token.' },
      });
      // OpenID Connect Core 1.0: at_hash and c_hash bind an ID token to the access token or code issued with it.
      for (const hash of ['at_hash', 'c_hash']) {
        expect(await problemOf(await started.readOrg(await jwks.sign({ ...claims, nonce: 'n-1', [hash]: 'x5nS1lVw6jCMtDCYh8uG5A' })))).toMatchObject({
          status: 401,
          body: { code: 'UNAUTHENTICATED', detail: `The token is an ID token (it carries \`${hash}\`), not an access token.` },
        });
      }
    });

    it('with JWT_TYPES=at+jwt accepts only RFC 9068 access tokens: an ID token typed JWT, or untyped, is refused', async () => {
      const started = await startWithOrg({ JWKS_URL: jwks.url, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, JWT_TYPES: 'at+jwt' });
      server = started.server;
      const claims = { sub: 'alice', org: started.orgId, iss: ISSUER, aud: AUDIENCE, iat: now(), exp: now() + 600 };
      expect((await started.readOrg(await jwks.sign(claims, 'key-1', { typ: 'at+jwt' }))).status).toBe(200);
      expect(await problemOf(await started.readOrg(await jwks.sign(claims, 'key-1', { typ: 'JWT' })))).toMatchObject({
        status: 401,
        body: { code: 'UNAUTHENTICATED', detail: 'The token is of type "JWT", not an access token: this API accepts the types at+jwt (JWT_TYPES).' },
      });
      expect(await problemOf(await started.readOrg(await jwks.sign(claims)))).toMatchObject({
        status: 401,
        body: { code: 'UNAUTHENTICATED', detail: 'The token has no type (typ), not an access token: this API accepts the types at+jwt (JWT_TYPES).' },
      });
    });

    it('refuses to start with a JWT_TYPES that names no type, or without JWKS_URL', async () => {
      for (const [env, said] of [
        [{ JWKS_URL: jwks.url, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, JWT_TYPES: ' , ' }, /JWT_TYPES must name at least one type/],
        [{ JWKS_URL: jwks.url, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, JWT_TYPES: 'at+jwt,a b' }, /JWT_TYPES holds \\"a b\\"; give media types/],
        [{ JWT_TYPES: 'at+jwt' }, /JWT_TYPES needs JWKS_URL/],
      ] as const) {
        server = ServerProcess.spawn({ BOOTSTRAP_TOKEN, ...env });
        const { code } = await server.exitWithin(30_000);
        // The reason in the JSON log line, its quotes escaped.
        expect([code === 0, server.stderr + server.stdout]).toEqual([false, expect.stringMatching(said)]);
      }
    });
  });

  describe("the server's own JWSs (HS256 agent tokens, challenge ids)", () => {
    let server: ServerProcess;
    afterEach(() => server?.dispose());

    it('takes a challenge id for no token and an agent token for no challenge, even with JWT_SECRET = CHALLENGE_SECRET', async () => {
      // The worst an operator can configure: one secret for both (the keys still differ, challenge-tokens.ts).
      const secret = randomBytes(32).toString('base64url');
      const started = await startWithOrg({ JWT_SECRET: secret, CHALLENGE_SECRET: secret });
      server = started.server;
      const token = await mintAgentToken(secret, { agentId: 'alice', orgId: started.orgId }, 600);
      expect((await started.readOrg(token)).status).toBe(200);
      const keys = generateKeyPair();
      const post = (path: string, body: unknown, bearer = token) =>
        checkedFetch(`${started.url}/v1/orgs/${started.orgId}${path}`, { method: 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const { challengeId, statement } = (await (await post('/challenges', { purpose: 'KEY_REQUEST', publicKey: keys.publicKey })).json()) as { challengeId: string; statement: string };

      expect(await problemOf(await started.readOrg(challengeId))).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
      const asChallenge = await problemOf(await post('/key-requests', { publicKey: keys.publicKey, challengeId: token, signature: keys.sign(statement) }));
      expect(asChallenge).toMatchObject({ status: 422, body: { code: 'UNKNOWN_CHALLENGE' } });
      // The challenge itself still serves: refusals wrote nothing and consumed nothing.
      expect((await post('/key-requests', { publicKey: keys.publicKey, challengeId, signature: keys.sign(statement) })).status).toBe(201);
    });
  });
});
