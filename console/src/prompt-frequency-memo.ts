import type { Session } from './session';

/**
 * The prompt frequency last set from this browser, for display only: the server decides. It is
 * forgotten when the contract resets it (logout, key change, R10).
 */
const slot = (session: Session) => `ztkeys.promptFrequency.${session.orgId}/${session.agentId}`;

export const rememberFrequency = (session: Session, frequency: string): void => localStorage.setItem(slot(session), frequency);
export const forgetFrequency = (session: Session): void => localStorage.removeItem(slot(session));
export const shownFrequency = (session: Session): string => localStorage.getItem(slot(session)) ?? 'EVERY_TASK';
