import type { ActiveKey } from '../shared/actor';
import { NO_USED_NONCES, type UsedNonces } from '../shared/used-nonces';
import type { PromptFrequency, SensitiveTaskAuthorized } from './browser.events';

/** One agent's prompt frequency and last signature in one browser (R10, R11). */
export interface BrowserState {
  /** As last set, or reset by a logout. */
  frequency: PromptFrequency;
  /** The key the frequency was set with: it holds for that key only (R10). */
  frequencyKeyFingerprint?: string;
  /** The last signature made in this browser: the start of its remembered window (R11). */
  lastSignature?: { at: string; keyFingerprint: string };
  /** The last sensitive task authorized in this browser, and until when (R11). */
  lastAuthorization?: Pick<SensitiveTaskAuthorized['data'], 'task' | 'method' | 'validUntil'>;
  usedNonces: UsedNonces;
  /** The last event was a logout: another one would change nothing (a retried logout records nothing). */
  loggedOut: boolean;
}

export const initialBrowserState: BrowserState = { frequency: 'EVERY_TASK', usedNonces: NO_USED_NONCES, loggedOut: false };

/** R10: any change of the agent's key resets the browser to EVERY_TASK. */
export const effectiveFrequency = (state: BrowserState, activeKey: ActiveKey | undefined): PromptFrequency =>
  activeKey !== undefined && state.frequencyKeyFingerprint === activeKey.fingerprint ? state.frequency : 'EVERY_TASK';
