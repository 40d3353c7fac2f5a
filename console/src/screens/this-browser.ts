import { tokenRefused } from '../../../src/cli/token-refused';
import { ApiProblem } from '../api';
import { PROMPT_FREQUENCIES, type PromptFrequency } from '../../../src/domain/browser/browser.events';
import { h } from '../dom';
import { activeKey } from '../my-keys';
import { forgetFrequency, rememberFrequency, shownFrequency } from '../prompt-frequency-memo';
import { endSession } from '../session';
import { sign } from '../signing';
import type { Screen } from '../ui';

const FREQUENCIES: Record<PromptFrequency, string> = {
  EVERY_TASK: 'Every sensitive task asks for my signature',
  DAILY: 'A signature is remembered in this browser for 24 hours',
  WEEKLY: 'A signature is remembered in this browser for 7 days',
};

/** This browser: its id, its prompt frequency (R10, signed) and logging out of it (which resets it). */
export async function thisBrowserScreen(screen: Screen): Promise<HTMLElement[]> {
  const { api, session, browserId } = screen;
  const current = shownFrequency(session);
  const radios = Object.entries(FREQUENCIES).map(([value, label]) =>
    h('div', { class: 'radio' }, h('input', { type: 'radio', name: 'frequency', id: `frequency-${value}`, value, checked: value === current }), h('label', { for: `frequency-${value}` }, `${value}: ${label}`)),
  );
  const save = async () => {
    const checked = (document.querySelector('input[name="frequency"]:checked') as HTMLInputElement | null)?.value;
    const frequency = PROMPT_FREQUENCIES.find((value) => value === checked) ?? 'EVERY_TASK';
    const key = await activeKey(api);
    const proof = await sign(api, key, { purpose: 'PROMPT_FREQUENCY', browserId, frequency });
    await api.put(api.selfPath('browsers', browserId, 'prompt-frequency'), { frequency, ...proof });
    rememberFrequency(session, frequency);
    screen.refresh();
    screen.notice(`Prompt frequency of this browser: ${frequency}.`);
  };
  /**
   * The tab lets go of the token whatever the server answers: one it refuses (an AUDITOR's logout
   * is a 403) or cannot be reached for would otherwise keep the agent signed in here, and whoever
   * comes to the browser next would act as them. What was not reset is said instead.
   */
  const logout = async () => {
    try {
      await api.post(api.selfPath('browsers', browserId, 'logout'), {});
    } catch (error) {
      if (!(error instanceof ApiProblem) || tokenRefused(error.status, error.problem)) throw error;
      endSession();
      return screen.go('signed-out-not-reset');
    }
    forgetFrequency(session);
    endSession();
    screen.go('signed-out');
  };
  return [
    h('h1', {}, 'This browser'),
    h('dl', {}, h('dt', {}, 'Browser id'), h('dd', { class: 'mono', 'data-testid': 'browser-id' }, browserId), h('dt', {}, 'Prompt frequency set here'), h('dd', { 'data-testid': 'prompt-frequency' }, current)),
    h(
      'form',
      { 'aria-labelledby': 'frequency-title', onsubmit: (event) => (event.preventDefault(), screen.act(save)(event)) },
      h('fieldset', {}, h('legend', { id: 'frequency-title' }, 'How often this browser asks for your signature'), ...radios),
      h('p', { class: 'hint' }, 'Applies to this browser only; changing it needs your signature. Logging out, or a new key, sets it back to EVERY_TASK.'),
      h('button', { type: 'submit', class: 'primary' }, 'Save prompt frequency'),
    ),
    h('h2', {}, 'Log out'),
    h('p', {}, 'Ends your session in this tab and sets this browser’s prompt frequency back to EVERY_TASK. Your key stays in this browser.'),
    h('button', { type: 'button', onclick: screen.act(logout) }, 'Log out of this browser'),
  ];
}
