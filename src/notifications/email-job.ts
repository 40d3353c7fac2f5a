import type { PolicyFieldChange } from '../domain/organization/org-policy';
import type { RecoveryLapseReason } from '../domain/recovery/recovery.events';
import type { Role } from '../domain/shared/roles';
import type { ApprovalMode, KeyRevoked } from '../domain/signature-key/key.events';

/** Someone an email names. */
export interface Person {
  agentId: string;
  displayName: string;
  email: string;
}

/** The admin who decided on a request. */
export type Decider = Pick<Person, 'agentId' | 'displayName'>;

/** The request an email is about. Never holds the verification code: approvers must get it from the requester. */
export interface RequestSummary {
  requestId: string;
  requester: Person;
  /** Hex SHA-256 of the requested public key. */
  fingerprint: string;
  /** Fingerprint of the ACTIVE key the request replaces (R8), if any. */
  replacesFingerprint?: string;
}

/** What every email job holds besides its kind. */
export interface EmailJobBase {
  /** One job per event and recipient: see emailJobId. */
  id: string;
  eventId: string;
  /** When the event happened; delivery latency is measured from here. */
  occurredAt: string;
  org: { orgId: string; name: string };
  to: Person;
}

/** What every email about a key request holds. */
export interface KeyRequestJobBase extends EmailJobBase {
  request: RequestSummary;
}

/** The break-glass recovery an email is about (R20). */
export interface RecoverySummary {
  recoveryId: string;
  /** The SUPER_ADMIN it restores. */
  agent: Person;
  effectiveAt: string;
  /** When it lapses unless its agent has requested a key (the claim window under the policy then). */
  claimBy: string;
  delayHours: number;
  withWorkingApprover: boolean;
}

/** What every email about a recovery holds: it goes to every ADMIN and SUPER_ADMIN of the org. */
export interface RecoveryJobBase extends EmailJobBase {
  recovery: RecoverySummary;
}

/** What an email about a recovery says besides the recovery itself (R20). */
export type RecoveryNews =
  /** The operator started a recovery (RECOVERY_STARTED), it is halfway (RECOVERY_REMINDER), or it completed. */
  | { kind: 'RECOVERY_STARTED' | 'RECOVERY_REMINDER' | 'RECOVERY_COMPLETED' }
  | { kind: 'RECOVERY_VETOED'; vetoedBy: Decider }
  /** The agent it restores was demoted or removed meanwhile, so it ended without granting a key. */
  | { kind: 'RECOVERY_LAPSED'; reason: RecoveryLapseReason };

/** The agent an email about their key or role is about, and what M-of-N can ask once it changed. */
export interface HolderSummary {
  /** As the directory named them just before: a removed agent is told too. */
  holder: Person;
  /** The holder's role just before: an approver's key or role lowers what M-of-N can ask of a pending request. */
  holderRole: Role;
  /** Their key: revoked, or ACTIVE still when they were made a MEMBER. */
  fingerprint: string;
  /** ADMINs and SUPER_ADMINs holding an ACTIVE key once it changed. */
  approversWithActiveKey: number;
}

/** A key revoked by someone other than its holder: by an admin (R9), or by removing its holder or making them an AUDITOR (R18). */
export interface RevocationSummary extends HolderSummary {
  reasonCode: Exclude<KeyRevoked['data']['reasonCode'], 'REPLACED'>;
  /** The admin's words for REVOKED_BY_ADMIN, the product's otherwise. */
  reason: string;
  revokedBy: Decider;
}

/** What every email about a revocation holds. */
export interface RevocationJobBase extends EmailJobBase {
  revocation: RevocationSummary;
}

/**
 * An ADMIN or SUPER_ADMIN holding an ACTIVE key made a MEMBER by someone else: the key stays
 * theirs, as a member's, and the cap of M-of-N is lowered as by a revocation of it.
 */
export interface DemotionSummary extends HolderSummary {
  demotedBy: Decider;
}

/** What every email about a demotion holds. */
export interface DemotionJobBase extends EmailJobBase {
  demotion: DemotionSummary;
}

/**
 * A policy change that weakens a safeguard (PolicyFieldChange.weakens): fewer approvals activate a
 * key, or a recovery is vetoable for less time. Values are the event's `previous` and `policy`.
 */
export interface PolicyChangeSummary {
  /** The SUPER_ADMIN who signed it. */
  changedBy: Decider;
  /** Every field it changed, those that weaken nothing too: the decision is one. */
  changes: PolicyFieldChange[];
}

/** What every email about a policy change holds. */
export interface PolicyJobBase extends EmailJobBase {
  policyChange: PolicyChangeSummary;
}

/** What a notification email says, with everything needed to write it (R12). */
export type EmailJob =
  | (KeyRequestJobBase & { kind: 'KEY_REQUEST_WAITING' })
  | (KeyRequestJobBase & { kind: 'KEY_APPROVED'; mode: ApprovalMode; approvedBy?: Decider })
  | (KeyRequestJobBase & { kind: 'KEY_REJECTED'; rejectedBy: Decider; reason?: string })
  | (KeyRequestJobBase & { kind: 'KEY_REQUEST_LOCKED'; failedAttempts: number })
  /** R20: a request still waits after the policy's reminder delay. */
  | (KeyRequestJobBase & { kind: 'KEY_REQUEST_REMINDER'; waitingHours: number })
  /** R20: a request waited past the policy's expiry and can no longer be approved. */
  | (KeyRequestJobBase & { kind: 'KEY_REQUEST_EXPIRED'; expiryHours: number })
  | (RecoveryJobBase & RecoveryNews)
  /** To the holder of a key someone else revoked. */
  | (RevocationJobBase & { kind: 'KEY_REVOKED' })
  /** To every other approver holding an ACTIVE key, when the revoked key was an approver's. */
  | (RevocationJobBase & { kind: 'APPROVER_KEY_REVOKED' })
  /** To an approver holding an ACTIVE key whom someone else made a MEMBER. */
  | (DemotionJobBase & { kind: 'DEMOTED_TO_MEMBER' })
  /** To every approver still holding an ACTIVE key then. */
  | (DemotionJobBase & { kind: 'APPROVER_DEMOTED' })
  /** To every approver holding an ACTIVE key but its signer, when a policy change weakens a safeguard. */
  | (PolicyJobBase & { kind: 'POLICY_WEAKENED' })
  /** The signer's copy: should their key and token be someone else's, they hear of it. */
  | (PolicyJobBase & { kind: 'POLICY_WEAKENED_BY_YOU' });

export type EmailKind = EmailJob['kind'];

/** Every kind, at run time; a Record so the compiler refuses one left out or unknown. */
export const EMAIL_KINDS = Object.keys({
  KEY_REQUEST_WAITING: true,
  KEY_APPROVED: true,
  KEY_REJECTED: true,
  KEY_REQUEST_LOCKED: true,
  KEY_REQUEST_REMINDER: true,
  KEY_REQUEST_EXPIRED: true,
  RECOVERY_STARTED: true,
  RECOVERY_REMINDER: true,
  RECOVERY_VETOED: true,
  RECOVERY_COMPLETED: true,
  RECOVERY_LAPSED: true,
  KEY_REVOKED: true,
  APPROVER_KEY_REVOKED: true,
  DEMOTED_TO_MEMBER: true,
  APPROVER_DEMOTED: true,
  POLICY_WEAKENED: true,
  POLICY_WEAKENED_BY_YOU: true,
} satisfies Record<EmailKind, true>) as EmailKind[];

/** Whether this release knows the kind: a job queued by a newer release's notifier may hold one it does not. */
export const isEmailKind = (kind: string): kind is EmailKind => (EMAIL_KINDS as string[]).includes(kind);

/**
 * Job id of an event's email to one recipient, so a replayed event enqueues nothing new.
 * Event ids are UUIDs and agent ids never contain "~" (streams.ts) or ":" (which BullMQ
 * reserves in custom job ids), so the id is unambiguous and accepted by both queues.
 */
export const emailJobId = (eventId: string, recipientAgentId: string): string => `${eventId}~${recipientAgentId}`;

/**
 * RFC 5322 Message-ID of a job's email: the same on every attempt, so a duplicate delivered
 * after a crash is recognisable. The agent id is base64url-encoded because it may contain "@".
 */
export function emailMessageId(job: Pick<EmailJob, 'eventId' | 'to'>, domain: string): string {
  return `<${job.eventId}.${Buffer.from(job.to.agentId).toString('base64url')}@${domain}>`;
}
