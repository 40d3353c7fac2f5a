import { Api, ApiProblem } from './api';
import { tokenRefused } from '../../src/cli/token-refused';
import { h } from './dom';
import { browserId } from './key-store';
import { auditLogScreen } from './screens/audit-log';
import { myKeyScreen } from './screens/my-key';
import { pendingKeysScreen } from './screens/pending-keys';
import { sensitiveTaskScreen } from './screens/sensitive-task';
import { finishOidcSignIn } from './oidc';
import { adoptToken, signInScreen } from './screens/sign-in';
import { thisBrowserScreen } from './screens/this-browser';
import { zeroTrustStatusScreen } from './screens/zero-trust-status';
import { currentSession, endSession } from './session';
import { messageOf, messageRegions, type Screen } from './ui';

/** The screens, by the hash that opens them. */
const SCREENS: { route: string; title: string; render: (screen: Screen) => Promise<HTMLElement[]> }[] = [
  { route: 'key', title: 'My key', render: myKeyScreen },
  { route: 'pending', title: 'Pending keys', render: pendingKeysScreen },
  { route: 'status', title: 'Zero-trust status', render: zeroTrustStatusScreen },
  { route: 'audit', title: 'Audit log', render: auditLogScreen },
  { route: 'browser', title: 'This browser', render: thisBrowserScreen },
  { route: 'task', title: 'Sensitive task', render: sensitiveTaskScreen },
];

const main = document.getElementById('screen')!;
const nav = document.getElementById('nav')!;
const who = document.getElementById('who')!;
const messages = messageRegions();
const content = h('div', {});
main.replaceChildren(messages.regions, content);

/**
 * Which session is on display: counted anew at each render for another token (a logout, the next
 * sign-in, perhaps of another org). What an action says, redraws or opens next belongs to the
 * session whose screen started it: once another is on display it is dropped, not said on the
 * sign-in screen either (whoever reads that is whoever comes to this browser next, not the agent
 * who left; that agent finds the outcome in the server's state and the audit log, and a key it
 * made kept in this browser). Within one session it is shown on whichever screen is open.
 */
let sessions = 0;
let shownToken: string | undefined;

function sessionActions(drawnFor: number): Pick<Screen, 'act' | 'notice' | 'refresh' | 'go'> {
  const ours = (): boolean => drawnFor === sessions;
  return {
    act: (action) => (event) => {
      const button = event.target instanceof HTMLFormElement ? event.target.querySelector('button[type="submit"]') : event.target;
      if (button instanceof HTMLButtonElement) button.disabled = true;
      messages.clear();
      action()
        // Not ours: nothing is said, and a refusal of the ended session's token ends no later one.
        .catch((error: unknown) => ours() && (endRefusedSession(error) || messages.error(messageOf(error))))
        .finally(() => {
          if (button instanceof HTMLButtonElement) button.disabled = false;
        });
    },
    notice: (text) => {
      if (ours()) messages.notice(text);
    },
    refresh: () => {
      if (ours()) void render();
    },
    go: (route) => {
      if (ours()) go(route);
    },
  };
}

let signedOutMessage: string | undefined;

/**
 * A refusal of the tab's token (expired, or no longer valid): the session ends and the sign-in
 * screen says why. Kept, it would refuse every screen, and "Log out" too, until the tab closed.
 */
function endRefusedSession(error: unknown): boolean {
  if (!(currentSession() && error instanceof ApiProblem && tokenRefused(error.status, error.problem))) return false;
  endSession();
  signedOutMessage = 'The server no longer accepts your token (it expired, or is not valid): sign in again.';
  messages.clear();
  void render();
  return true;
}

/** Which render is the latest: a screen answered after another render began (another screen, a logout, another sign-in) is dropped. */
let renders = 0;

async function render(): Promise<void> {
  const current = ++renders;
  const session = currentSession();
  if (session?.token !== shownToken) {
    shownToken = session?.token;
    sessions++;
  }
  const route = location.hash.slice(1);
  if (!session) {
    nav.replaceChildren();
    who.replaceChildren();
    document.title = 'Sign in: ztkeys';
    const signIn = await signInScreen(() => go('key'), sessionActions(sessions).act, signedOutMessage);
    if (current === renders) content.replaceChildren(...signIn);
    return;
  }
  signedOutMessage = undefined;
  const screen = SCREENS.find((candidate) => candidate.route === route) ?? SCREENS[0];
  who.replaceChildren(`Signed in as ${session.agentId} in ${session.orgId}`);
  nav.replaceChildren(
    h('ul', {}, ...SCREENS.map(({ route: to, title }) => h('li', {}, h('a', { href: `#${to}`, 'aria-current': to === screen.route ? 'page' : false, onclick: () => to === route && void render() }, title)))),
  );
  document.title = `${screen.title}: ztkeys`;
  const context: Screen = { api: new Api(session), session, browserId: browserId(), ...sessionActions(sessions) };
  try {
    const drawn = await screen.render(context);
    if (current !== renders) return;
    content.replaceChildren(...drawn);
  } catch (error) {
    if (current !== renders || endRefusedSession(error)) return;
    content.replaceChildren(h('h1', {}, screen.title));
    messages.error(messageOf(error));
  }
  content.setAttribute('data-screen', screen.route);
}

/** What the sign-in screen says after a logout, by the route the logout went to. */
const LOGGED_OUT: Record<string, string> = {
  'signed-out': 'Logged out: this browser’s prompt frequency is EVERY_TASK again.',
  'signed-out-not-reset': 'Logged out of this tab, but the server did not reset this browser’s prompt frequency (it refused, or could not be reached): sign in again and log out to reset it.',
};

function go(route: string): void {
  if (Object.hasOwn(LOGGED_OUT, route)) signedOutMessage = LOGGED_OUT[route];
  if (location.hash === `#${route}`) void render();
  else location.hash = route;
}

window.addEventListener('hashchange', () => {
  messages.clear();
  void render().then(() => main.focus());
});

/** Back from the OIDC provider, the token is adopted before the first screen shows. */
async function start(): Promise<void> {
  try {
    const token = await finishOidcSignIn();
    if (token) await adoptToken(token);
  } catch (error) {
    messages.error(messageOf(error));
  }
  await render();
}
void start();
