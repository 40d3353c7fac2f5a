import { Api } from '../api';
import { field, h } from '../dom';
import { Refusal } from '../refusal';
import { claimsOf, keepSession } from '../session';

/** Sign in with an agent token (a JWT from the org's identity provider, or `npm run token` on one machine). */
export function signInScreen(done: () => void, act: (action: () => Promise<void>) => (event: Event) => void, message?: string): HTMLElement[] {
  const token = h('textarea', { name: 'token', rows: '4', autocomplete: 'off', spellcheck: 'false', required: true });
  const signIn = async () => {
    const session = claimsOf(token.value.trim());
    if (typeof session === 'string') throw new Refusal(session);
    // One call checks the token before it is kept: a refused one is shown and forgotten.
    await new Api(session).get(new Api(session).orgPath());
    keepSession(session);
    done();
  };
  return [
    h('h1', {}, 'Sign in'),
    message ? h('p', { class: 'notice', 'data-testid': 'signed-out' }, message) : h('span'),
    h(
      'form',
      { onsubmit: (event) => (event.preventDefault(), act(signIn)(event)) },
      field('Agent token', token, 'Paste the bearer token (JWT) your organization gave you. It is kept in this tab only and forgotten when the tab closes.'),
      h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
    ),
  ];
}
