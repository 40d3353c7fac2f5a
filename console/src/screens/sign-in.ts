import { Api } from '../api';
import { field, h } from '../dom';
import { oidcOptions, startOidcSignIn } from '../oidc';
import { Refusal } from '../refusal';
import { claimsOf, keepSession } from '../session';

/** Keeps a token for this tab once one API call accepted it: a refused one is shown and forgotten. */
export async function adoptToken(token: string): Promise<void> {
  const session = claimsOf(token);
  if (typeof session === 'string') throw new Refusal(session);
  const api = new Api(session);
  await api.get(api.orgPath());
  keepSession(session);
}

/**
 * Sign in with an agent token (a JWT from the org's identity provider, or `npm run token` on one
 * machine), or, when the deployment configures it, through the OIDC provider's sign-in page.
 */
export async function signInScreen(done: () => void, act: (action: () => Promise<void>) => (event: Event) => void, message?: string): Promise<HTMLElement[]> {
  const oidc = await oidcOptions();
  const token = h('textarea', { name: 'token', rows: '4', autocomplete: 'off', spellcheck: 'false', required: true });
  const signIn = async () => {
    await adoptToken(token.value.trim());
    done();
  };
  return [
    h('h1', {}, 'Sign in'),
    message ? h('p', { class: 'notice', 'data-testid': 'signed-out' }, message) : h('span'),
    oidc
      ? h(
          'section',
          { 'aria-labelledby': 'oidc-title' },
          h('h2', { id: 'oidc-title' }, 'With your organization’s sign-in'),
          h('button', { type: 'button', class: 'primary', onclick: act(() => startOidcSignIn(oidc)) }, 'Sign in with your identity provider'),
          h('h2', {}, 'Or with a token'),
        )
      : h('span'),
    h(
      'form',
      { onsubmit: (event) => (event.preventDefault(), act(signIn)(event)) },
      field('Agent token', token, 'Paste the bearer token (JWT) your organization gave you. It is kept in this tab only and forgotten when the tab closes.'),
      h('button', { type: 'submit', class: oidc ? undefined : 'primary' }, 'Sign in'),
    ),
  ];
}
