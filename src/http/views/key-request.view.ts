import { APPROVAL_MODES } from '../../domain/signature-key/key.events';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { KeyRequestStatus } from '../../domain/signature-key/key.state';
import { REPLACES } from './replaces-fingerprint';

const REQUEST_STATUSES: KeyRequestStatus[] = ['PENDING', 'APPROVED', 'REJECTED', 'LOCKED', 'CANCELLED', 'REVOKED', 'EXPIRED'];
const CODE = { description: 'R5: the code the requester reads out to the approver (15 digits)', example: '123456789012345' };

export class KeyRequestCreatedView {
  @ApiProperty({ example: 'alice.kr_01J9Z3' }) requestId: string;
  @ApiProperty({ enum: ['PENDING', 'APPROVED'], description: 'APPROVED at once for an org\'s first key (R4)' }) status: 'PENDING' | 'APPROVED';
  @ApiProperty(CODE) verificationCode: string;
  @ApiProperty({ description: 'Fingerprint of the public key' }) fingerprint: string;
  @ApiProperty({ description: 'Log position (decimal)', example: '42' }) position: string;
  @ApiPropertyOptional({ description: 'Something the requester should know (e.g. a pending request was replaced)' }) warning?: string;
}

export class KeyRequestDecidedView {
  @ApiProperty({ example: 'alice.kr_01J9Z3' }) requestId: string;
  @ApiProperty({ enum: ['APPROVED', 'REJECTED', 'PENDING'], description: 'PENDING: the approval was recorded and the request waits for more (R20 M-of-N)' })
  status: 'APPROVED' | 'REJECTED' | 'PENDING';
  @ApiPropertyOptional({ enum: [...APPROVAL_MODES], description: 'How an approved key became ACTIVE' }) mode?: string;
  @ApiPropertyOptional({ type: [String], description: 'While PENDING: the approvers whose approvals count so far' }) approvals?: string[];
  @ApiPropertyOptional({ description: 'While PENDING: the threshold at this decision' }) approvalsRequired?: number;
  @ApiProperty({ description: 'Log position (decimal)', example: '42' }) position: string;
}

class KeyRequestEventView {
  @ApiProperty({ example: 'KeyRequested' }) type: string;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ description: 'Who caused it (agentId or "operator")' }) by: string;
  @ApiProperty({ description: 'Log position (decimal)', example: '42' }) position: string;
}

/** One key request, from its event stream (always current). */
export class KeyRequestView {
  @ApiProperty({ example: 'alice.kr_01J9Z3' }) requestId: string;
  @ApiProperty({ example: 'alice' }) agentId: string;
  @ApiPropertyOptional({ example: 'Alice' }) displayName?: string;
  @ApiPropertyOptional({ example: 'alice@example.com' }) email?: string;
  @ApiProperty({ enum: REQUEST_STATUSES, description: 'EXPIRED also for a PENDING request past its expiresAt that the scheduler has not recorded yet: nobody can decide it any more' }) status: KeyRequestStatus;
  @ApiProperty({ description: 'Raw Ed25519 public key, base64url (43 characters)' }) publicKey: string;
  @ApiProperty() fingerprint: string;
  @ApiProperty(CODE) verificationCode: string;
  @ApiProperty({ description: 'Wrong verification codes so far (the 5th locks the request)' }) failedAttempts: number;
  @ApiProperty({ type: String, nullable: true, description: `${REPLACES}; null once decided too` }) replacesFingerprint: string | null;
  @ApiProperty({ type: [String], description: 'R20 M-of-N: while PENDING, the approvers whose approvals count now (not one demoted since, nor one whose key that signed was revoked or replaced since); once decided, who had approved, the approver whose approval activated the key last (none for a FIRST_KEY or a recovery\'s grant)' }) approvals: string[];
  @ApiProperty({ type: Number, nullable: true, description: "R20 M-of-N: while PENDING, the approvals that activate the key now (as the pending list's approvalsRequired); null otherwise" })
  approvalsRequired: number | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time', description: "R20: while PENDING, when its approvers are (or were) reminded, by the org's policy now; null once decided" })
  remindAt: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    format: 'date-time',
    description:
      "R20: while PENDING, when it expires by the org's policy now (a policy change moves it at once); status reads EXPIRED from then on, whether or not the expiry is recorded yet, and the requester may request again. null once decided",
  })
  expiresAt: string | null;
  @ApiProperty({ format: 'date-time' }) requestedAt: string;
  @ApiProperty({ type: [KeyRequestEventView], description: 'Every event of this request, oldest first' }) history: KeyRequestEventView[];
}
