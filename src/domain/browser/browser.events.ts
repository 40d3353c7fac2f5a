import type { DomainEvent } from '../shared/domain-event';
import type { RecordedProof } from '../shared/signed-proof';
import type { PromptFrequency } from './prompt-frequency';

export { PROMPT_FREQUENCIES, type PromptFrequency } from './prompt-frequency';

/** R10: how long a signature in a browser is remembered. */
export const REMEMBER_WINDOW_MS: Record<PromptFrequency, number> = {
  EVERY_TASK: 0,
  DAILY: 24 * 3600 * 1000,
  WEEKLY: 168 * 3600 * 1000,
};

/** What every prompt frequency change says: the browser's setting, before and after. */
type FrequencyChange = { agentId: string; browserId: string; frequency: PromptFrequency; previous: PromptFrequency };
export type PromptFrequencyChanged = DomainEvent<
  'PromptFrequencyChanged',
  | (FrequencyChange & {
      /** Signed by the agent. */
      reason: 'SET';
      /** Fingerprint of the key that signed. */
      keyFingerprint: string;
      proof: RecordedProof;
      /** When the agent signed: a signature made in this browser starts its remembered window (R11). */
      signedAt: string;
      /** When the request carried an Idempotency-Key: the change's id, a UUIDv5 of (caller, browser, key), which a retry finds. */
      changeId?: string;
    })
  /** Reset by logging out of the browser: no key, no signature, no request id (none is ever recorded, none is read). */
  | (FrequencyChange & { reason: 'LOGOUT' })
>;
/** What every task authorization says: who did which task in which browser, with which key, until when. */
type TaskAuthorization = {
  agentId: string;
  browserId: string;
  task: string;
  keyFingerprint: string;
  /** When the request carried an Idempotency-Key: the authorization's id, a UUIDv5 of (caller, browser, key), which a retry finds. */
  authorizationId?: string;
};
/** How a task was authorized: by a fresh signature, or remembered from one within the window. */
export type AuthorizedBy =
  | {
      method: 'SIGNATURE';
      /** End of the remembered window this signature starts; equals occurredAt for EVERY_TASK. */
      validUntil: string;
      proof: RecordedProof;
      /** When the agent signed: starts a new remembered window in this browser. */
      signedAt: string;
    }
  /** No new signature: the window of the last one, which does not move (none is recorded, none is read). */
  | { method: 'REMEMBERED'; validUntil: string };
export type SensitiveTaskAuthorized = DomainEvent<'SensitiveTaskAuthorized', TaskAuthorization & AuthorizedBy>;
export type SensitiveTaskRefused = DomainEvent<
  'SensitiveTaskRefused',
  {
    agentId: string;
    browserId: string;
    task: string;
    reason: 'PROMPT_REQUIRED' | 'NO_ACTIVE_KEY' | 'INVALID_SIGNATURE' | 'AUDITOR_CANNOT_HOLD_KEY';
  }
>;

export type BrowserEvent = PromptFrequencyChanged | SensitiveTaskAuthorized | SensitiveTaskRefused;
