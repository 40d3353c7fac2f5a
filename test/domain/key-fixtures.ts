import { verificationCode } from '../../src/crypto/verification-code';
import { DEFAULT_ORG_POLICY, type OrgPolicy } from '../../src/domain/organization/org-policy';
import type { ActorContext } from '../../src/domain/shared/actor';
import type { Role } from '../../src/domain/shared/roles';
import type { ChallengeFields, SignedProof } from '../../src/domain/shared/signed-proof';
import type { ApproveKey, RejectKey, RequestDeadlines, RequestKey } from '../../src/domain/signature-key/key.commands';
import { asActiveKey, challengeFields, signedProof, type TestKeyPair } from '../support/ed25519-keys';

export const ORG = 'acme';
export const T0 = '2025-03-01T10:00:00.000Z';
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
/** The time `ms` after T0. */
export const at = (ms: number): string => new Date(Date.parse(T0) + ms).toISOString();

/** An agent as the handler describes them to the key decider; `key` is their ACTIVE key, approved by `keyRequestId`. */
export const actor = (agentId: string, role: Role, key?: TestKeyPair, keyRequestId = `${agentId}-key`): ActorContext => ({
  agentId,
  role,
  ...(key && { activeKey: asActiveKey(key, keyRequestId) }),
});

/** What a test may change in a challenge: any field, plus who signs and when. */
export interface ProofOptions {
  now?: string;
  fields?: Partial<ChallengeFields>;
  signer?: TestKeyPair;
}

/** A KEY_REQUEST proof of possession by `key` for `agentId`, issued at `now`. */
export const keyRequestProof = (agentId: string, key: TestKeyPair, options: ProofOptions = {}): SignedProof =>
  signedProof(
    options.signer ?? key,
    challengeFields({ purpose: 'KEY_REQUEST', orgId: ORG, agentId, issuedAt: options.now ?? T0, publicKey: key.publicKey, ...options.fields }),
  );

export interface RequestOptions extends ProofOptions {
  requestId: string;
  replacePending?: boolean;
  firstKeyAssigned?: boolean;
  firstKeyRequiresAdmin?: boolean;
  /** The org's request deadlines (R20); the product defaults unless given. */
  policy?: RequestDeadlines;
  proof?: SignedProof;
}

export const requestKey = (requester: ActorContext, key: TestKeyPair, options: RequestOptions): RequestKey => ({
  type: 'RequestKey',
  orgId: ORG,
  requester,
  requestId: options.requestId,
  publicKey: key.publicKey,
  proof: options.proof ?? keyRequestProof(requester.agentId, key, options),
  replacePending: options.replacePending ?? false,
  org: {
    policy: { pendingRequestExpiryHours: DEFAULT_ORG_POLICY.pendingRequestExpiryHours, reminderAfterHours: DEFAULT_ORG_POLICY.reminderAfterHours, ...options.policy, firstKeyRequiresAdmin: options.firstKeyRequiresAdmin ?? true },
    firstKeyAssigned: options.firstKeyAssigned ?? true,
  },
  now: options.now ?? T0,
});

/** The request a decision is about: its id and the requester's new public key. */
export interface RequestRef {
  requestId: string;
  publicKey: string;
}

/** A KEY_DECISION proof by the approver's key `key`. */
export const decisionProof = (
  approverId: string,
  key: TestKeyPair,
  request: RequestRef,
  decision: 'APPROVE' | 'REJECT',
  options: ProofOptions = {},
): SignedProof =>
  signedProof(
    options.signer ?? key,
    challengeFields({
      purpose: 'KEY_DECISION',
      orgId: ORG,
      agentId: approverId,
      issuedAt: options.now ?? T0,
      requestId: request.requestId,
      requesterPublicKey: request.publicKey,
      decision,
      ...options.fields,
    }),
  );

export interface DecisionOptions extends ProofOptions {
  proof?: SignedProof;
}

/**
 * `approver` answers with a proof signed by `key` (their ACTIVE key unless a test says otherwise);
 * `approvers`: the ADMINs and SUPER_ADMINs now with the ACTIVE key each holds now.
 */
export const approveKey = (
  approver: ActorContext,
  key: TestKeyPair,
  request: RequestRef,
  code: string,
  options: DecisionOptions & { activeApprovers?: number; requesterRole?: Role; policy?: OrgPolicy; approvers?: Record<string, TestKeyPair> } = {},
): ApproveKey => ({
  type: 'ApproveKey',
  orgId: ORG,
  requestId: request.requestId,
  approver,
  verificationCode: code,
  proof: options.proof ?? decisionProof(approver.agentId, key, request, 'APPROVE', options),
  requesterRole: options.requesterRole ?? 'MEMBER',
  policy: options.policy ?? DEFAULT_ORG_POLICY,
  approverKeys: new Map(Object.entries(options.approvers ?? {}).map(([agentId, key]) => [agentId, key.fingerprint])),
  activeApprovers: options.activeApprovers ?? 1,
  now: options.now ?? T0,
});

export const rejectKey = (approver: ActorContext, key: TestKeyPair, request: RequestRef, options: DecisionOptions & { reason?: string; policy?: OrgPolicy } = {}): RejectKey => ({
  type: 'RejectKey',
  orgId: ORG,
  requestId: request.requestId,
  approver,
  ...(options.reason !== undefined && { reason: options.reason }),
  proof: options.proof ?? decisionProof(approver.agentId, key, request, 'REJECT', options),
  policy: options.policy ?? DEFAULT_ORG_POLICY,
  now: options.now ?? T0,
});

export const codeOf = (agentId: string, key: TestKeyPair): string => verificationCode(ORG, agentId, key.publicKey);
