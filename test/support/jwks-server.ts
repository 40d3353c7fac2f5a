import { createServer } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';

/** An OIDC provider's key set served over real HTTP (ES256, kid key-1), and a signer of its tokens. */
export interface JwksServer {
  url: string;
  /** A token of key-1 with exactly these claims, header kid (`null`: none) and more header members (`typ`...). */
  sign(claims: JWTPayload, kid?: string | null, header?: Record<string, unknown>): Promise<string>;
  /** How many times the key set was asked for. */
  fetches(): number;
  /** From now on, answers this status without a key set (an outage); undefined: the key set again. */
  failWith(status: number | undefined): void;
  /** From now on, serves the set without key-1 (the provider retired it, say compromised), or with it again. */
  withoutKey1(removed: boolean): void;
  close(): Promise<void>;
}

/** `port`: 0 for any free one; a given one, to bring back a provider that was down. `others`: more keys the set holds, after key-1. */
export async function startJwksServer(port = 0, others: object[] = []): Promise<JwksServer> {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'key-1', alg: 'ES256', use: 'sig' };
  let fetches = 0;
  let failure: number | undefined;
  let key1Removed = false;
  const server = createServer((_, response) => {
    fetches += 1;
    if (failure !== undefined) response.writeHead(failure, { 'content-type': 'text/plain' }).end('provider unavailable');
    else response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [...(key1Removed ? [] : [jwk]), ...others] }));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/jwks.json`,
    sign: (claims, kid = 'key-1', header = {}) => new SignJWT(claims).setProtectedHeader({ ...header, alg: 'ES256', ...(kid === null ? {} : { kid }) }).sign(privateKey),
    fetches: () => fetches,
    failWith: (status) => (failure = status),
    withoutKey1: (removed) => (key1Removed = removed),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
