import { ApiProblem, type Api } from './api';
import { h } from './dom';
import type { Session } from './session';
import { Refusal } from './refusal';

/**
 * What every screen gets: the API as the signed-in agent, and one place for messages. What an
 * action says (act's refusals, notice) and does next (refresh, go) is dropped once another session
 * is on display (a logout, the next sign-in).
 */
export interface Screen {
  api: Api;
  session: Session;
  browserId: string;
  /** Shows a success message in the status region (read out by screen readers). */
  notice(text: string): void;
  /** Runs a user action: messages cleared first, a refusal shown as its message. */
  act(action: () => Promise<void>): (event: Event) => void;
  /** Shows this screen again, as after a change. */
  refresh(): void;
  go(route: string): void;
}

/** The text a person reads for a failure: the problem's detail, never JSON. */
export const messageOf = (error: unknown): string =>
  error instanceof ApiProblem || error instanceof Refusal ? error.message : `Something went wrong in the console: ${error instanceof Error ? error.message : String(error)}`;

export function messageRegions(): { regions: HTMLElement; notice(text: string): void; error(text: string): void; clear(): void } {
  const error = h('div', { class: 'error', role: 'alert' });
  const notice = h('div', { class: 'notice', role: 'status' });
  return {
    regions: h('div', { class: 'messages' }, error, notice),
    notice: (text) => notice.replaceChildren(text),
    error: (text) => error.replaceChildren(text),
    clear: () => (error.replaceChildren(), notice.replaceChildren()),
  };
}
