import type { ActiveKey } from '../shared/actor';
import type { ApprovalMode } from './key.events';
import { NO_USED_NONCES, type UsedNonces } from '../shared/used-nonces';

/** REVOKED: the request was approved and its key has since been revoked. */
export type KeyRequestStatus = 'PENDING' | 'APPROVED' | 'REJECTED' | 'LOCKED' | 'CANCELLED' | 'REVOKED' | 'EXPIRED';

export interface KeyRequestEntry {
  requestId: string;
  publicKey: string;
  fingerprint: string;
  verificationCode: string;
  status: KeyRequestStatus;
  /** Wrong verification codes so far (R5). */
  failedAttempts: number;
  /** Fingerprint of the ACTIVE key the request would replace (R8), if any. */
  replacesFingerprint?: string;
  /** R20 M-of-N: who approved it so far, in order, while it waits for more approvals. */
  approvals: readonly string[];
  /** R20 M-of-N: the fingerprint of the key each approval was signed with, by approver. */
  approvedWith: ReadonlyMap<string, string>;
  /** How it was approved, once APPROVED. */
  mode?: ApprovalMode;
  /** The approver whose signed approval activated it (APPROVAL, ROTATION), once APPROVED. */
  activatedBy?: string;
  /** Expiry of the challenge its proof of possession answered: R20 deadlines count from it (request-deadlines.ts). */
  challengeExpiresAt: string;
  /** R20: its approvers were reminded of it. */
  reminded: boolean;
}

/** One agent's key stream: few requests per agent, so plain maps copied per event are cheap. */
export interface KeyState {
  agentId?: string;
  requests: ReadonlyMap<string, KeyRequestEntry>;
  pendingRequestId?: string;
  active?: ActiveKey;
  /** Keys once revoked: a revoked key signs nothing (R9), so it is never registered again. */
  revokedFingerprints: ReadonlySet<string>;
  usedNonces: UsedNonces;
}

/**
 * Every field present, the optional ones undefined: states are built as `{ ...state, field }`, and
 * on Node 20's V8 such a copy that adds a property takes a new hidden class each time (3 µs, against
 * 0.1 when the property is already there).
 */
export const initialKeyState: KeyState = {
  agentId: undefined,
  requests: new Map(),
  pendingRequestId: undefined,
  active: undefined,
  revokedFingerprints: new Set(),
  usedNonces: NO_USED_NONCES,
};

/** The agent's ACTIVE key, as other aggregates need it (decisions, prompt frequency, tasks). */
export const activeKeyOf = (state: KeyState): ActiveKey | undefined => state.active;

/**
 * R20: the agent's ACTIVE key as a promotion judges it (undefined when they hold none), with how
 * many distinct approvers' signed approvals activated it: the earlier approvals that still
 * counted, and the one that reached the threshold. A first key or a recovery's grant, which no
 * approver signed, carries no count: the org's policy granted it, and a promotion judges it on the
 * roles' thresholds (a MEMBER's first key, where the policy lets one have it, is made an ADMIN's
 * so: the way out its warning names).
 */
export function activeKeyApprovals(state: KeyState): { approvals?: number } | undefined {
  if (!state.active) return undefined;
  const request = state.requests.get(state.active.requestId);
  if (request?.activatedBy === undefined) return {};
  return { approvals: new Set([...request.approvals, request.activatedBy]).size };
}
