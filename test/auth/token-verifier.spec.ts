import { SignJWT } from 'jose';
import { mintAgentToken } from '../../src/auth/token-minter';
import { TokenVerifier, type TokenRules } from '../../src/auth/token-verifier';
import { DEFAULT_TOKEN_TYPES, EMBEDDED_TOKEN_AUDIENCE, EMBEDDED_TOKEN_ISSUER } from '../../src/config/app-config';
import { createServer, type Server } from 'node:http';
import { StoreUnavailable } from '../../src/shared/store-unavailable';
import { closedPort } from '../support/closed-port';
import { startJwksServer, type JwksServer } from '../support/jwks-server';

const rules = (issuer = EMBEDDED_TOKEN_ISSUER, audience = EMBEDDED_TOKEN_AUDIENCE): TokenRules => ({ issuer, audience, maxLifetimeSeconds: 86400, clockSkewSeconds: 60, types: DEFAULT_TOKEN_TYPES });

/** Agent tokens: HS256 on one machine, and an OIDC provider's key set (JWKS_URL) served over real HTTP. */
describe('TokenVerifier', () => {
  it('accepts an HS256 token of the configured secret and refuses another secret, an expired token or a missing org', async () => {
    const verifier = new TokenVerifier({ secret: 'one-machine-secret' }, rules());
    expect(await verifier.verify(await mintAgentToken('one-machine-secret', { agentId: 'alice', orgId: 'org-1' }, 60))).toEqual({ agentId: 'alice', orgId: 'org-1' });
    expect(await verifier.verify(await mintAgentToken('another-secret', { agentId: 'alice', orgId: 'org-1' }, 60))).toBeUndefined();
    expect(await verifier.verify(await mintAgentToken('one-machine-secret', { agentId: 'alice', orgId: 'org-1' }, -100))).toBeUndefined();
    const noOrg = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('alice')
      .setIssuer(EMBEDDED_TOKEN_ISSUER)
      .setAudience(EMBEDDED_TOKEN_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('1m')
      .sign(new TextEncoder().encode('one-machine-secret'));
    expect(await verifier.verify(noOrg)).toBeUndefined();
  });

  it('refuses an HS256 token of the right secret whose claims, header or lifetime do not fit this API', async () => {
    const key = new TextEncoder().encode('one-machine-secret');
    const verifier = new TokenVerifier({ secret: 'one-machine-secret' }, rules());
    const now = Math.floor(Date.now() / 1000);
    const token = (claims: Record<string, unknown>, header: Record<string, unknown> = {}) =>
      new SignJWT({ sub: 'alice', org: 'org-1', iss: EMBEDDED_TOKEN_ISSUER, aud: EMBEDDED_TOKEN_AUDIENCE, iat: now, exp: now + 60, ...claims })
        .setProtectedHeader({ alg: 'HS256', ...header })
        .sign(key);
    expect(await verifier.verify(await token({}))).toEqual({ agentId: 'alice', orgId: 'org-1' });
    expect(await verifier.verify(await token({ aud: ['other', EMBEDDED_TOKEN_AUDIENCE] }))).toEqual({ agentId: 'alice', orgId: 'org-1' });
    const refused = [
      token({ iss: 'someone-else' }),
      token({ aud: 'another-api' }),
      token({ iat: now + 120 }),
      token({ iat: undefined }),
      token({ exp: undefined }),
      token({ nbf: now + 120 }),
      token({ iat: now - 86400, exp: now + 60 }),
      token({ exp: now + 86400 * 2 }),
      token({ sub: 'not an id!' }),
      token({}, { alg: 'HS512' }),
    ];
    for (const candidate of refused) expect(await verifier.verify(await candidate)).toBeUndefined();
    const [header, payload] = (await token({})).split('.');
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`;
    expect(await verifier.verify(unsigned)).toBeUndefined();
    expect(await verifier.verify(`${header}.${payload}.${'A'.repeat(43)}`)).toBeUndefined();
  });

  describe('with JWKS_URL', () => {
    let jwks: JwksServer;
    const claims = (sub: string, org: string) => ({ sub, org, iss: 'https://idp.example.com/', aud: 'ztkeys-api', iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 300 });

    beforeAll(async () => {
      jwks = await startJwksServer();
    });
    afterAll(() => jwks.close());

    it("accepts the provider's tokens and refuses HS256 ones and unknown keys", async () => {
      const verifier = new TokenVerifier({ jwksUrl: jwks.url }, rules('https://idp.example.com/', 'ztkeys-api'));
      expect(await verifier.verify(await jwks.sign(claims('bob', 'org-2')))).toEqual({ agentId: 'bob', orgId: 'org-2' });
      expect(await verifier.verify(await mintAgentToken('any-secret', { agentId: 'bob', orgId: 'org-2' }, 60, { issuer: 'https://idp.example.com/', audience: 'ztkeys-api' }))).toBeUndefined();
      expect(await verifier.verify(await jwks.sign(claims('bob', 'org-2'), 'unknown-key'))).toBeUndefined();
      const [header, payload] = (await jwks.sign(claims('bob', 'org-2'))).split('.');
      for (const token of ['', 'a.b.c', `${header}.${payload}.`, `${header}.${payload}.${'A'.repeat(86)}`, `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`]) {
        expect(await verifier.verify(token)).toBeUndefined();
      }
    });

    it('throws StoreUnavailable, not a refusal, while the key set cannot be fetched, and verifies again once it can', async () => {
      const port = await closedPort();
      // No pause after a failed fetch, so that each answer below is fetched (the built server's pause: identity-provider.spec.ts).
      const verifier = new TokenVerifier({ jwksUrl: `http://127.0.0.1:${port}/jwks.json`, keySetPauseMs: 0 }, rules('https://idp.example.com/', 'ztkeys-api'));
      const token = await jwks.sign(claims('bob', 'org-2'));
      await expect(verifier.verify(token)).rejects.toThrow(StoreUnavailable);
      await expect(verifier.verify(token)).rejects.toThrow(/the identity provider's key set \(JWKS_URL\) is unavailable/);

      const answers = ['500 Internal Server Error', '200 not json'];
      const broken: Server = createServer((_, response) => {
        const [status, body] = answers[0] === '200 not json' ? [200, '<html>down for maintenance</html>'] : [500, 'oops'];
        response.writeHead(status, { 'content-type': 'text/html' }).end(body);
      });
      await new Promise<void>((resolve) => broken.listen(port, '127.0.0.1', resolve));
      try {
        await expect(verifier.verify(token)).rejects.toThrow(StoreUnavailable);
        answers.shift();
        await expect(verifier.verify(token)).rejects.toThrow(StoreUnavailable);
      } finally {
        await new Promise<void>((resolve) => broken.close(() => resolve()));
      }

      const back = await startJwksServer(port);
      try {
        // The provider is back, with a key set of its own: its tokens pass, those of the old set are refused.
        expect(await verifier.verify(await back.sign(claims('carol', 'org-3')))).toEqual({ agentId: 'carol', orgId: 'org-3' });
        expect(await verifier.verify(token)).toBeUndefined();
      } finally {
        await back.close();
      }
    });
  });
});
