import { checkedFetch } from '../support/answer-contract';
import { startJwksServer, type JwksServer } from '../support/jwks-server';
import { ServerProcess } from '../ops/support/server-process';

const ISSUER = 'https://login.example.com/';
const AUDIENCE = 'ztkeys-api';
const BOOTSTRAP_TOKEN = 'identity-provider-probe-bootstrap-token-0001';
const now = () => Math.floor(Date.now() / 1000);
const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * The built server with JWKS_URL, against a key set served over real HTTP, probed as an attacker
 * would: tokens anyone can write, since the key a token names is looked up before its signature.
 */
describe('the built server with an identity provider (JWKS_URL)', () => {
  let jwks: JwksServer;
  let server: ServerProcess;
  let url: string;

  beforeAll(async () => {
    jwks = await startJwksServer();
  });
  afterEach(() => server?.dispose());
  afterAll(() => jwks.close());

  const start = async () => {
    server = ServerProcess.spawn({ JWKS_URL: jwks.url, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, BOOTSTRAP_TOKEN });
    url = await server.listening();
  };
  /** A token naming a key id of its own, with no valid signature: what anyone can send. */
  const forged = (kid: string) => `${base64url({ alg: 'ES256', kid })}.${base64url({ sub: 'alice', org: 'org-1', iss: ISSUER, aud: AUDIENCE, iat: now(), exp: now() + 600 })}.${'A'.repeat(86)}`;
  const read = (token: string) => checkedFetch(`${url}/v1/orgs/org-1`, { headers: { authorization: `Bearer ${token}` } });

  it('fetches a failing key set again at most once within the Retry-After it answers, whatever tokens come meanwhile', async () => {
    jwks.failWith(500);
    await start();
    const before = jwks.fetches();
    for (let i = 0; i < 20; i += 1) {
      const answer = await read(forged(`kid-${i}`));
      expect([answer.status, answer.headers.get('retry-after')]).toEqual([503, '2']);
      expect(await answer.json()).toMatchObject({ code: 'STORE_UNAVAILABLE', detail: expect.stringContaining("the identity provider's key set (JWKS_URL) is unavailable") });
    }
    // One fetch for the first: twenty forged tokens made twenty fetches of a provider already failing.
    expect(jwks.fetches() - before).toBe(1);

    jwks.failWith(undefined);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const token = await jwks.sign({ sub: 'alice', org: 'org-1', iss: ISSUER, aud: AUDIENCE, iat: now(), exp: now() + 600 });
    // The key set again: the token is checked (alice's org does not exist here, so 404 rather than 200).
    expect((await read(token)).status).toBe(404);
    expect(jwks.fetches() - before).toBe(2);
  });
});
