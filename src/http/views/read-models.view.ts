import { APPROVAL_MODES } from '../../domain/signature-key/key.events';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { KEY_STATUSES } from '../../../projections/org-status.projection';
import { PROMPT_FREQUENCIES } from '../../domain/browser/browser.events';
import { ROLES } from '../../domain/shared/roles';
import { AUDIT_PAGE_SCAN } from '../../application/queries/read-queries';
import { REPLACES } from './replaces-fingerprint';

const NEXT_CURSOR = { description: 'Pass it back as `cursor` for the next page; absent on the last page' };
const NULLABLE_STRING = { type: String, nullable: true } as const;

/** One PENDING key request: what an approver needs to decide on it (projections/pending-keys). */
export class PendingKeyView {
  @ApiProperty({ example: 'alice.kr_01J9Z3' }) requestId: string;
  @ApiProperty({ example: 'alice' }) agentId: string;
  @ApiProperty({ example: 'Alice', description: 'The requester as the directory knows them now' }) displayName: string;
  @ApiProperty({ example: 'alice@example.com', description: 'The requester as the directory knows them now' }) email: string;
  @ApiProperty() publicKey: string;
  @ApiProperty() fingerprint: string;
  @ApiProperty({ description: 'R5: compare with the code the requester reads out' }) verificationCode: string;
  @ApiProperty({ ...NULLABLE_STRING, description: REPLACES }) replacesFingerprint: string | null;
  @ApiProperty({ format: 'date-time' }) requestedAt: string;
  @ApiProperty({ description: 'Log position of the request (the list is oldest first by it)' }) requestedPosition: number;
  @ApiProperty() failedAttempts: number;
  @ApiProperty() attemptsLeft: number;
  @ApiProperty({ ...NULLABLE_STRING, format: 'date-time', description: 'R20: when its approvers were reminded of it' }) remindedAt: string | null;
  @ApiProperty({ type: [String], description: 'R20 M-of-N: the approvers whose signed approvals count now, in order: not one demoted since, nor one whose key that signed was revoked or replaced since' }) approvals: string[];
  @ApiProperty({
    description: "R20 M-of-N: the approvals that activate the key now: the org policy's threshold for the requester's role, capped by the approvers besides the requester who hold an ACTIVE key (as the approval answer's approvalsRequired)",
  })
  approvalsRequired: number;
  @ApiProperty({ format: 'date-time', description: "R20: when its approvers are (or were) reminded of it, by the org's policy now" }) remindAt: string;
  @ApiProperty({
    format: 'date-time',
    description: "R20: when it expires, by the org's policy now (a policy change moves it at once): counted from the expiry of the challenge its proof answered plus the tolerated clock skew. Past it, nobody can decide it and the requester may request again",
  })
  expiresAt: string;
}

export class PendingKeysPageView {
  @ApiProperty({ type: [PendingKeyView] }) items: PendingKeyView[];
  @ApiPropertyOptional(NEXT_CURSOR) nextCursor?: string;
}

class ActiveKeyView {
  @ApiProperty() requestId: string;
  @ApiProperty() publicKey: string;
  @ApiProperty() fingerprint: string;
  @ApiProperty({ enum: [...APPROVAL_MODES] }) mode: string;
  @ApiProperty({ ...NULLABLE_STRING, description: 'null for FIRST_KEY and RECOVERY: no approver signed' }) approvedBy: string | null;
  @ApiProperty({ format: 'date-time' }) approvedAt: string;
}

class LastRequestView {
  @ApiProperty() requestId: string;
  @ApiProperty() fingerprint: string;
  @ApiProperty({ enum: ['PENDING', 'APPROVED', 'REJECTED', 'LOCKED', 'CANCELLED', 'EXPIRED'] }) status: string;
  @ApiProperty({ format: 'date-time' }) requestedAt: string;
  @ApiProperty() failedAttempts: number;
  @ApiProperty({ ...NULLABLE_STRING, format: 'date-time' }) decidedAt: string | null;
}

class RevocationView {
  @ApiProperty() requestId: string;
  @ApiProperty() fingerprint: string;
  @ApiProperty({ enum: ['REPLACED', 'AGENT_REMOVED', 'REVOKED_BY_ADMIN', 'ROLE_CHANGED_TO_AUDITOR'] }) reasonCode: string;
  @ApiProperty() reason: string;
  @ApiProperty() revokedBy: string;
  @ApiProperty({ format: 'date-time' }) revokedAt: string;
}

/** One agent and the state of their signature key (projections/org-status). */
export class AgentStatusView {
  @ApiProperty({ example: 'alice' }) agentId: string;
  @ApiProperty({ example: 'alice@example.com' }) email: string;
  @ApiProperty({ example: 'Alice' }) displayName: string;
  @ApiProperty({ enum: ROLES }) role: string;
  @ApiProperty({ enum: KEY_STATUSES }) keyStatus: string;
  @ApiProperty({ ...NULLABLE_STRING, description: 'Of the ACTIVE key' }) fingerprint: string | null;
  @ApiProperty({ ...NULLABLE_STRING, description: 'Of the ACTIVE key; null for FIRST_KEY and RECOVERY: no approver signed' }) approvedBy: string | null;
  @ApiProperty({ ...NULLABLE_STRING, format: 'date-time' }) approvedAt: string | null;
  @ApiProperty({ type: ActiveKeyView, nullable: true }) activeKey: ActiveKeyView | null;
  @ApiProperty({ type: LastRequestView, nullable: true }) lastRequest: LastRequestView | null;
  @ApiProperty({ type: RevocationView, nullable: true }) lastRevocation: RevocationView | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string', enum: [...PROMPT_FREQUENCIES] },
    description: 'The browsers that remember a signature (DAILY, WEEKLY), by browserId: a browser not listed (never set, logged out of, set back to EVERY_TASK, or reset by a change of the key) prompts EVERY_TASK',
  })
  promptFrequencies: Record<string, string>;
  @ApiProperty({ format: 'date-time' }) addedAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

class StatusTotalsView {
  @ApiProperty() agents: number;
  @ApiProperty() withActiveKey: number;
  @ApiProperty() pending: number;
  @ApiProperty() none: number;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' }, description: 'Agents by keyStatus' }) byKeyStatus: Record<string, number>;
}

export class ZeroTrustStatusView {
  @ApiProperty({ type: [AgentStatusView] }) agents: AgentStatusView[];
  @ApiProperty({ type: StatusTotalsView, description: 'Over the whole org, whatever the filters' }) totals: StatusTotalsView;
  @ApiPropertyOptional(NEXT_CURSOR) nextCursor?: string;
}

/** One event of the log as the audit trail shows it (R13; projections/audit-log). */
export class AuditEntryView {
  @ApiProperty() eventId: string;
  @ApiProperty({ description: 'Global log position: the order of the trail' }) position: number;
  @ApiProperty({ example: 'KeyApproved' }) type: string;
  @ApiProperty() schemaVersion: number;
  @ApiProperty() stream: string;
  @ApiProperty() revision: number;
  @ApiProperty({ description: 'agentId who caused it, or "operator"' }) actor: string;
  @ApiProperty({ ...NULLABLE_STRING, description: 'The agent it is about; null for org-wide events' }) subject: string | null;
  @ApiProperty({ format: 'date-time' }) occurredAt: string;
  @ApiProperty() correlationId: string;
  @ApiProperty() causationId: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The event data' }) data: Record<string, unknown>;
}

export class AuditLogPageView {
  @ApiProperty({
    type: [AuditEntryView],
    description: `At most \`limit\` entries. A page examines at most ${AUDIT_PAGE_SCAN.toLocaleString('en-US')} entries: with filters that match little (two of type, actor, subject; a time range) it may hold fewer, or none, while \`nextCursor\` is present. Follow \`nextCursor\` until it is absent`,
  })
  items: AuditEntryView[];
  @ApiPropertyOptional({ description: 'Pass it back as `cursor` for the next page, even after a short or empty page; absent on the last page' }) nextCursor?: string;
}

class RememberedBrowserView {
  @ApiProperty({ example: 'laptop-1' }) browserId: string;
  @ApiProperty({ format: 'date-time', description: 'The signature in that browser that opened the remembered window' }) signedAt: string;
  @ApiProperty({ format: 'date-time', description: 'End of the window (R10, R11)' }) until: string;
}

class KeyAsOfView {
  @ApiProperty() requestId: string;
  @ApiProperty() fingerprint: string;
  @ApiProperty({ enum: [...APPROVAL_MODES] }) mode: string;
  @ApiProperty({ format: 'date-time' }) activeSince: string;
}

/** One agent who held an ACTIVE key at the instant (projections/as-of). */
export class AgentAsOfView {
  @ApiProperty({ example: 'alice' }) agentId: string;
  @ApiProperty({ enum: ROLES, description: 'The role at that instant' }) role: string;
  @ApiProperty({ type: KeyAsOfView, description: 'The key ACTIVE at that instant' }) key: KeyAsOfView;
  @ApiProperty({ type: [RememberedBrowserView], description: 'Browsers where a task needed no fresh signature at that instant' })
  rememberedBrowsers: RememberedBrowserView[];
}

export class AsOfView {
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ type: [AgentAsOfView], description: 'Every agent with an ACTIVE key at `at`, by agentId' }) agents: AgentAsOfView[];
}
