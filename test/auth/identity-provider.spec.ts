import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import { exportJWK, exportSPKI, generateKeyPair, importJWK, SignJWT } from 'jose';
import { checkedFetch } from '../support/answer-contract';
import { createAcmeOverHttp } from '../support/acme-over-http';
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
    // Beside key-1, an RSA key of 1024 bits, which jose uses for nothing (RS256 needs 2048 or more).
    const legacy = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
    jwks = await startJwksServer(0, [{ ...legacy, kid: 'legacy-1024', alg: 'RS256', use: 'sig' }]);
  });
  afterEach(() => {
    // A test that stopped midway leaves the set answering again for the next.
    jwks.failWith(undefined);
    jwks.withoutKey1(false);
    return server?.dispose();
  });
  afterAll(() => jwks.close());

  const start = async (env: Record<string, string> = {}) => {
    server = ServerProcess.spawn({ JWKS_URL: jwks.url, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, BOOTSTRAP_TOKEN, ...env });
    url = await server.listening();
  };
  /** A token naming a key id of its own, with no valid signature: what anyone can send. */
  const forged = (kid: string) => `${base64url({ alg: 'ES256', kid })}.${base64url({ sub: 'alice', org: 'org-1', iss: ISSUER, aud: AUDIENCE, iat: now(), exp: now() + 600 })}.${'A'.repeat(86)}`;
  const read = (token: string) => checkedFetch(`${url}/v1/orgs/org-1`, { headers: { authorization: `Bearer ${token}` } });

  it('fetches a failing key set again at most once within the Retry-After it answers, whatever tokens come meanwhile', async () => {
    jwks.failWith(500);
    await start();
    const before = jwks.fetches();
    const details: string[] = [];
    // As many forged tokens as fit well within the pause (20 at most; a slow machine sends fewer):
    // the fetch begins after this instant, so each read here comes within its 2,000 ms.
    const began = Date.now();
    for (let i = 0; i < 20 && (i < 2 || Date.now() - began < 1500); i += 1) {
      const answer = await read(forged(`kid-${i}`));
      expect([answer.status, answer.headers.get('retry-after')]).toEqual([503, '2']);
      details.push(((await answer.json()) as { code: string; detail: string }).detail);
    }
    expect(details[0]).toMatch(/^the identity provider's key set \(JWKS_URL\) is unavailable: Expected 200 OK/);
    for (const later of details.slice(1)) {
      expect(later).toMatch(/^the identity provider's key set \(JWKS_URL\) is unavailable: the fetch begun \d+ ms ago failed, and the next waits until 2000 ms after it\. Try again shortly\.$/);
    }
    // One fetch for the first: each forged token made a fetch of a provider already failing.
    expect({ reads: details.length, fetches: jwks.fetches() - before }).toEqual({ reads: details.length, fetches: 1 });

    jwks.failWith(undefined);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const token = await jwks.sign({ sub: 'alice', org: 'org-1', iss: ISSUER, aud: AUDIENCE, iat: now(), exp: now() + 600 });
    // The key set again: the token is checked (alice's org does not exist here, so 404 rather than 200).
    expect((await read(token)).status).toBe(404);
    expect(jwks.fetches() - before).toBe(2);
  });

  it('refuses the tokens of a key the provider removed once JWKS_CACHE_SECONDS have passed since the set was fetched', async () => {
    await start({ JWKS_CACHE_SECONDS: '2' });
    const token = await jwks.sign({ sub: 'alice', org: 'org-1', iss: ISSUER, aud: AUDIENCE, iat: now(), exp: now() + 600 });
    // Checked (alice's org does not exist here: 404, not 401).
    expect((await read(token)).status).toBe(404);
    jwks.withoutKey1(true);
    // Within the 2 s the fetched set serves on: the key passes.
    expect((await read(token)).status).toBe(404);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const fetched = jwks.fetches();
    const refused = await read(token);
    expect([refused.status, jwks.fetches() - fetched]).toEqual([401, 1]);
  });

  it("refuses a token naming a key of the set it will not use (401), and checks the set's other keys' tokens", async () => {
    await start();
    const { orgId, readOrg } = await createAcmeOverHttp(url, BOOTSTRAP_TOKEN);
    expect((await readOrg(await jwks.sign({ sub: 'alice', org: orgId, iss: ISSUER, aud: AUDIENCE, iat: now(), exp: now() + 600 }))).status).toBe(200);
    // The set was fetched and answers: not a 503 'key set unavailable' for anyone who names that key (a forged token will do).
    const forgedOfLegacy = `${base64url({ alg: 'RS256', kid: 'legacy-1024' })}.${base64url({ sub: 'alice', org: orgId, iss: ISSUER, aud: AUDIENCE, iat: now(), exp: now() + 600 })}.${'A'.repeat(171)}`;
    const answer = await readOrg(forgedOfLegacy);
    expect([answer.status, (await answer.json()) as unknown]).toEqual([401, expect.objectContaining({ code: 'UNAUTHENTICATED', detail: 'The token is invalid or expired.' })]);
  });

  it('refuses a key set larger than 1 MiB (503) rather than read and copy it whole', async () => {
    const oversized = await startJwksServer(0, [{ kty: 'oct', use: 'enc', k: 'A'.repeat(2 * 1024 * 1024) }]);
    try {
      server = ServerProcess.spawn({ JWKS_URL: oversized.url, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, BOOTSTRAP_TOKEN });
      url = await server.listening();
      const answer = await read(await oversized.sign({ sub: 'alice', org: 'org-1', iss: ISSUER, aud: AUDIENCE, iat: now(), exp: now() + 600 }));
      expect([answer.status, answer.headers.get('retry-after')]).toEqual([503, '2']);
      expect(await answer.json()).toMatchObject({ code: 'STORE_UNAVAILABLE', detail: expect.stringContaining('larger than 1048576 bytes') });
    } finally {
      await oversized.close();
    }
  });

  it('checks a token without kid against each key of its algorithm when the set holds more than one (a rotation under way)', async () => {
    const next = { ...(await exportJWK((await generateKeyPair('ES256')).publicKey)), kid: 'key-2', alg: 'ES256', use: 'sig' };
    const rotating = await startJwksServer(0, [next]);
    try {
      server = ServerProcess.spawn({ JWKS_URL: rotating.url, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, BOOTSTRAP_TOKEN });
      url = await server.listening();
      const claims = { sub: 'alice', org: 'org-1', iss: ISSUER, aud: AUDIENCE, iat: now(), exp: now() + 600 };
      // Checked (the org does not exist here: 404) rather than refused (401) as matching two keys.
      expect((await read(await rotating.sign(claims, null))).status).toBe(404);
      expect((await read(`${base64url({ alg: 'ES256' })}.${base64url(claims)}.${'A'.repeat(86)}`)).status).toBe(401);
    } finally {
      await rotating.close();
    }
  });

  it("refuses what anyone can write without the provider's key (401), fetching the set no more for it", async () => {
    await start();
    const claims = { sub: 'alice', org: 'org-1', iss: ISSUER, aud: AUDIENCE, iat: now(), exp: now() + 600 };
    expect((await read(await jwks.sign(claims))).status).toBe(404);
    // The provider's public key, as anyone reads it, used as an HMAC secret (algorithm confusion).
    const { keys } = (await (await checkedFetch(jwks.url)).json()) as { keys: Array<Record<string, unknown>> };
    const fetched = jwks.fetches();
    const pem = await exportSPKI((await importJWK(keys[0], 'ES256', { extractable: true })) as CryptoKey);
    const hmac = (secret: string) => new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: 'key-1' }).sign(new TextEncoder().encode(secret));
    const own = await generateKeyPair('ES256');
    const ownJwk = await exportJWK(own.publicKey);
    const junk = 'A'.repeat(86);
    const written = [
      await hmac(JSON.stringify(keys[0])),
      await hmac(pem),
      `${base64url({ alg: 'none' })}.${base64url(claims)}.`,
      `${base64url({ kid: 'key-1' })}.${base64url(claims)}.${junk}`,
      // A key of one's own, embedded or pointed to: never looked at.
      await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', jwk: ownJwk }).sign(own.privateKey),
      await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'key-1', jwk: ownJwk }).sign(own.privateKey),
      await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', jku: 'http://127.0.0.1:9/jwks.json', x5u: 'http://127.0.0.1:9/cert.pem' }).sign(own.privateKey),
      `${base64url({ alg: 'ES256', kid: 'key-1', crit: ['exp'], exp: 1 })}.${base64url(claims)}.${junk}`,
      ...Array.from({ length: 50 }, (_, i) => forged(`random-${i}`)),
    ];
    for (const token of written) expect([token, (await read(token)).status]).toEqual([token, 401]);
    // A key id the set lacks fetches it again at most once per 30 s after a fetch: none here.
    expect(jwks.fetches()).toBe(fetched);
  });

  it("follows no redirect of JWKS_URL: the provider's answer is a 503, the set it points to never used", async () => {
    const own = await generateKeyPair('ES256');
    // Were the redirect followed, this set would check the token: its key signed it.
    const ownSet = JSON.stringify({ keys: [{ ...(await exportJWK(own.publicKey)), kid: 'key-1', alg: 'ES256' }] });
    const elsewhere = createServer((_, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(ownSet));
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    const location = `http://127.0.0.1:${(elsewhere.address() as { port: number }).port}/jwks.json`;
    const redirecting = createServer((_, response) => response.writeHead(302, { location }).end());
    await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve));
    try {
      server = ServerProcess.spawn({ JWKS_URL: `http://127.0.0.1:${(redirecting.address() as { port: number }).port}/jwks.json`, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, BOOTSTRAP_TOKEN });
      url = await server.listening();
      const answer = await read(await new SignJWT({ sub: 'alice', org: 'org-1', iss: ISSUER, aud: AUDIENCE, iat: now(), exp: now() + 600 }).setProtectedHeader({ alg: 'ES256', kid: 'key-1' }).sign(own.privateKey));
      expect(answer.status).toBe(503);
    } finally {
      redirecting.close();
      elsewhere.close();
    }
  });
});
