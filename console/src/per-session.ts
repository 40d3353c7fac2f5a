import type { Session } from './session';

/**
 * A screen's state kept across its redraws within one session (the filters typed), made afresh for
 * the next one: kept for the tab, what one agent searched for would be shown to, and filter the
 * screens of, whoever signs in after them.
 */
export function perSession<T>(initial: () => T): (session: Session) => T {
  let owner: string | undefined;
  let state = initial();
  return (session) => {
    if (session.token !== owner) [owner, state] = [session.token, initial()];
    return state;
  };
}
