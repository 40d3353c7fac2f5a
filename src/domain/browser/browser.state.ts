import { isoInstant } from '../../shared/iso-instant';
import type { ActiveKey } from '../shared/actor';
import { NO_USED_NONCES, type UsedNonces } from '../shared/used-nonces';
import { REMEMBER_WINDOW_MS, type PromptFrequency, type SensitiveTaskAuthorized } from './browser.events';

/**
 * An event of the stream recorded with an id its request gave it (authorizationId, changeId: a
 * retry with the same Idempotency-Key looks for it), with its revision, and the ones before it:
 * newest first, each state sharing the list of the one it evolved from (one cell an id, no copy).
 * Only requests that carried a key add one, so a lookup walks as many cells as this browser had those.
 */
interface NamedEvent {
  readonly id: string;
  readonly revision: number;
  readonly earlier: NamedEvent | undefined;
}

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
  /** How many events the stream holds: the revision its next one takes. */
  nextRevision: number;
  /** The events recorded with an id their request gave them, newest first. */
  named: NamedEvent | undefined;
}

export const initialBrowserState: BrowserState = { frequency: 'EVERY_TASK', usedNonces: NO_USED_NONCES, loggedOut: false, nextRevision: 0, named: undefined };

/** R10: any change of the agent's key resets the browser to EVERY_TASK. */
export const effectiveFrequency = (state: BrowserState, activeKey: ActiveKey | undefined): PromptFrequency =>
  activeKey !== undefined && state.frequencyKeyFingerprint === activeKey.fingerprint ? state.frequency : 'EVERY_TASK';

/**
 * R11: the end of the remembered window a signature made at `signedAt` with `activeKey` opens in
 * this browser (`signedAt` itself at EVERY_TASK): what an authorization records as its validUntil.
 */
export const windowEnd = (state: BrowserState, activeKey: ActiveKey | undefined, signedAt: string): string =>
  new Date(isoInstant(signedAt) + REMEMBER_WINDOW_MS[effectiveFrequency(state, activeKey)]).toISOString();

/** The revision of the event recorded with this id (authorizationId, changeId), or undefined when the stream holds none. */
export function revisionNamed(state: Pick<BrowserState, 'named'>, id: string): number | undefined {
  for (let cell = state.named; cell; cell = cell.earlier) if (cell.id === id) return cell.revision;
  return undefined;
}

/** The named events after this event at the stream's next revision, which carries `id` or none. */
export const withNamed = (state: Pick<BrowserState, 'named' | 'nextRevision'>, id: string | undefined): NamedEvent | undefined =>
  id === undefined ? state.named : { id, revision: state.nextRevision, earlier: state.named };
