import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { mintAgentToken } from '../../src/auth/token-minter';
import { TokenVerifier } from '../../src/auth/token-verifier';

/** Agent tokens: HS256 on one machine, and an OIDC provider's key set (JWKS_URL) served over real HTTP. */
describe('TokenVerifier', () => {
  it('accepts an HS256 token of the configured secret and refuses another secret, an expired token or a missing org', async () => {
    const verifier = new TokenVerifier({ secret: 'one-machine-secret' });
    expect(await verifier.verify(await mintAgentToken('one-machine-secret', { agentId: 'alice', orgId: 'org-1' }, 60))).toEqual({ agentId: 'alice', orgId: 'org-1' });
    expect(await verifier.verify(await mintAgentToken('another-secret', { agentId: 'alice', orgId: 'org-1' }, 60))).toBeUndefined();
    expect(await verifier.verify(await mintAgentToken('one-machine-secret', { agentId: 'alice', orgId: 'org-1' }, -10))).toBeUndefined();
    const noOrg = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').setExpirationTime('1m').sign(new TextEncoder().encode('one-machine-secret'));
    expect(await verifier.verify(noOrg)).toBeUndefined();
  });

  describe('with JWKS_URL', () => {
    let server: Server;
    let url: string;
    let sign: (claims: { sub: string; org: string }, kid?: string) => Promise<string>;

    beforeAll(async () => {
      const { publicKey, privateKey } = await generateKeyPair('ES256');
      const jwk = { ...(await exportJWK(publicKey)), kid: 'key-1', alg: 'ES256', use: 'sig' };
      server = createServer((_, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as { port: number }).port}/jwks.json`;
      sign = (claims, kid = 'key-1') =>
        new SignJWT({ org: claims.org }).setProtectedHeader({ alg: 'ES256', kid }).setSubject(claims.sub).setExpirationTime('5m').sign(privateKey);
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it("accepts the provider's tokens and refuses HS256 ones and unknown keys", async () => {
      const verifier = new TokenVerifier({ jwksUrl: url });
      expect(await verifier.verify(await sign({ sub: 'bob', org: 'org-2' }))).toEqual({ agentId: 'bob', orgId: 'org-2' });
      expect(await verifier.verify(await mintAgentToken('any-secret', { agentId: 'bob', orgId: 'org-2' }, 60))).toBeUndefined();
      expect(await verifier.verify(await sign({ sub: 'bob', org: 'org-2' }, 'unknown-key'))).toBeUndefined();
    });
  });
});
