import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

/**
 * A small but real OIDC provider for tests, built with jose: discovery, a JWKS, an authorization
 * endpoint that signs in a chosen user at once (auto-consent) and answers with a code, and a token
 * endpoint that checks the code, the client, the redirect URI and the PKCE verifier (S256) before
 * it issues an ES256 access token for the API. No mock of the console: the browser talks to it.
 */
export interface OidcProvider {
  issuer: string;
  clientId: string;
  /** The user the next sign-in is for, and the console's redirect URI once its server listens; with `denial`, sign-ins are refused with that error_description. */
  configure(options: ProviderSettings): void;
  /** The token requests seen, with what they carried. */
  tokenRequests: Record<string, string>[];
  close(): Promise<void>;
}

interface ProviderSettings {
  user: { sub: string; org: string };
  redirectUri: string;
  consoleOrigin: string;
  denial?: string;
}

const base64url = (bytes: Buffer): string => bytes.toString('base64url');

export async function startOidcProvider(audience: string, clientId = 'ztkeys-console'): Promise<OidcProvider> {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'ES256', use: 'sig' };
  const codes = new Map<string, { challenge: string; redirectUri: string; user: { sub: string; org: string } }>();
  const tokenRequests: Record<string, string>[] = [];
  let settings: ProviderSettings | undefined;
  let issuer = '';

  const json = (response: ServerResponse, status: number, body: object, headers: Record<string, string> = {}) => {
    response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
    response.end(JSON.stringify(body));
  };
  const readForm = async (request: IncomingMessage): Promise<Record<string, string>> => {
    let text = '';
    for await (const chunk of request) text += chunk;
    return Object.fromEntries(new URLSearchParams(text));
  };

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', issuer);
    const cors = { 'access-control-allow-origin': settings?.consoleOrigin ?? '' };
    if (request.method === 'GET' && url.pathname === '/.well-known/openid-configuration')
      return json(response, 200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['none'],
      });
    if (request.method === 'GET' && url.pathname === '/jwks') return json(response, 200, { keys: [jwk] });
    if (request.method === 'GET' && url.pathname === '/authorize') {
      const q = Object.fromEntries(url.searchParams);
      if (!settings || q.response_type !== 'code' || q.client_id !== clientId || q.redirect_uri !== settings.redirectUri || q.code_challenge_method !== 'S256' || !q.code_challenge) {
        response.writeHead(400, { 'content-type': 'text/plain' });
        return response.end('invalid authorization request');
      }
      const back = new URL(q.redirect_uri);
      if (settings.denial !== undefined) {
        back.searchParams.set('error', 'access_denied');
        back.searchParams.set('error_description', settings.denial);
      } else {
        const code = base64url(randomBytes(24));
        codes.set(code, { challenge: q.code_challenge, redirectUri: q.redirect_uri, user: settings.user });
        back.searchParams.set('code', code);
      }
      back.searchParams.set('state', q.state ?? '');
      response.writeHead(302, { location: back.href });
      return response.end();
    }
    if (request.method === 'POST' && url.pathname === '/token') {
      void readForm(request).then(async (form) => {
        tokenRequests.push(form);
        const grant = codes.get(form.code ?? '');
        codes.delete(form.code ?? '');
        const verified = grant && form.code_verifier && base64url(createHash('sha256').update(form.code_verifier).digest()) === grant.challenge;
        if (form.grant_type !== 'authorization_code' || form.client_id !== clientId || !grant || form.redirect_uri !== grant.redirectUri || !verified)
          return json(response, 400, { error: 'invalid_grant', error_description: 'the code, client, redirect URI or PKCE verifier does not match' }, cors);
        const accessToken = await new SignJWT({ org: grant.user.org, scope: 'openid' })
          .setProtectedHeader({ alg: 'ES256', kid: jwk.kid, typ: 'at+jwt' })
          .setIssuer(issuer)
          .setAudience(audience)
          .setSubject(grant.user.sub)
          .setIssuedAt()
          .setExpirationTime('10m')
          .sign(privateKey);
        json(response, 200, { access_token: accessToken, token_type: 'Bearer', expires_in: 600 }, cors);
      });
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    clientId,
    configure: (options) => (settings = options),
    tokenRequests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
