import type { components } from '../../src/cli/api-types.generated';
import { encodeBase64urlBytes } from '../../src/crypto/base64url-bytes';
import { Refusal } from './refusal';

/**
 * Sign-in through the organization's OIDC provider (GET /v1/sign-in-options): authorization code
 * flow with PKCE (S256), as a public client with no secret. The code comes back to /console/, is
 * exchanged at the token endpoint (the one origin the CSP lets the console reach besides its own),
 * and the access token is used as the bearer, kept like a pasted one (this tab's sessionStorage).
 */
export type OidcOptions = components['schemas']['ConsoleOidcView'];

/** What this tab remembers between leaving for the provider and coming back. */
interface Pending {
  state: string;
  verifier: string;
  tokenEndpoint: string;
  clientId: string;
}

const PENDING = 'ztkeys.oidc';
const redirectUri = (): string => `${location.origin}/console/`;
const random = (length: number): string => encodeBase64urlBytes(crypto.getRandomValues(new Uint8Array(length)));

export async function oidcOptions(): Promise<OidcOptions | undefined> {
  try {
    const response = await fetch('/v1/sign-in-options');
    return response.ok ? ((await response.json()) as components['schemas']['SignInOptionsView']).oidc : undefined;
  } catch {
    return undefined;
  }
}

/** Leaves for the provider's authorization endpoint. */
export async function startOidcSignIn(oidc: OidcOptions): Promise<void> {
  const pending: Pending = { state: random(16), verifier: random(32), tokenEndpoint: oidc.tokenEndpoint, clientId: oidc.clientId };
  const challenge = encodeBase64urlBytes(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(pending.verifier)));
  sessionStorage.setItem(PENDING, JSON.stringify(pending));
  const url = new URL(oidc.authorizationEndpoint);
  for (const [name, value] of Object.entries({
    response_type: 'code',
    client_id: oidc.clientId,
    redirect_uri: redirectUri(),
    scope: oidc.scope,
    state: pending.state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }))
    url.searchParams.set(name, value);
  location.assign(url.href);
}

/** On the way back from the provider: the access token for the code, or undefined when this page load is no such return. */
export async function finishOidcSignIn(): Promise<string | undefined> {
  const params = new URLSearchParams(location.search);
  if (!params.has('code') && !params.has('error')) return undefined;
  // The code is single-use and must not linger in the address bar or history.
  history.replaceState(null, '', `${location.pathname}${location.hash}`);
  const stored = sessionStorage.getItem(PENDING);
  sessionStorage.removeItem(PENDING);
  const pending = stored ? (JSON.parse(stored) as Pending) : undefined;
  // An error answer too: anyone can write a link carrying `error_description`, which would read as the provider's word on this page.
  if (!pending || params.get('state') !== pending.state) throw new Refusal('This sign-in answer was not started from this tab (its state does not match): sign in again.');
  if (params.has('error')) throw new Refusal(`Your identity provider did not sign you in: ${params.get('error_description') ?? params.get('error')}.`);
  let answer: { access_token?: unknown; error?: unknown; error_description?: unknown } = {};
  let status = 0;
  try {
    const response = await fetch(pending.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: params.get('code')!, redirect_uri: redirectUri(), client_id: pending.clientId, code_verifier: pending.verifier }),
    });
    status = response.status;
    answer = (await response.json()) as typeof answer;
  } catch {
    // answered below
  }
  if (typeof answer.access_token === 'string') return answer.access_token;
  const why = typeof answer.error_description === 'string' ? answer.error_description : typeof answer.error === 'string' ? answer.error : `no token (status ${status})`;
  throw new Refusal(`Your identity provider did not issue a token: ${why}.`);
}
