/**
 * Builds the events the deciders emit for one org, command by command, with the streams they go
 * to: projection tests record them, the synthetic logs of the read-model tests and benchmarks
 * append them. It keeps just enough state (keys of requests, ACTIVE keys, frequencies) to fill
 * the events in as the write side would.
 */
import { createHash } from 'node:crypto';
import { REMEMBER_WINDOW_MS, type PromptFrequency, type PromptFrequencyChanged } from '../../../src/domain/browser/browser.events';
import { EVENT_CATALOGUE, type LogEvent } from '../../../src/domain/events/event-catalogue';
import type { Role } from '../../../src/domain/shared/roles';
import type { RecordedProof } from '../../../src/domain/shared/signed-proof';
import type { KeyReleaseReason, KeyRevoked, SignedApproval } from '../../../src/domain/signature-key/key.events';

type FrequencySet = Extract<PromptFrequencyChanged['data'], { reason: 'SET' }>;
import { agentStream, browserStream, orgStream } from '../../../src/domain/streams';
import type { NewEvent } from '../../../src/event-store/event-store.port';
import { newId } from '../../../src/shared/ids';

/** One event of a command's outcome and the stream it is appended to. */
export interface StreamEvent {
  stream: string;
  event: NewEvent<LogEvent>;
}

interface Key {
  requestId: string;
  agentId: string;
  publicKey: string;
  fingerprint: string;
  verificationCode: string;
}

const START = Date.parse('2025-03-01T09:00:00.000Z');

export class OrgEventBuilder {
  private readonly active = new Map<string, Key>();
  private readonly pending = new Map<string, Key>();
  private readonly failures = new Map<string, number>();
  private readonly frequencies = new Map<string, PromptFrequency>();
  private tick = 0;

  constructor(
    readonly orgId: string,
    /** Seconds between two commands. */
    private readonly step = 1,
  ) {}

  createOrganization(superAdminId: string, name = `Org ${this.orgId}`): StreamEvent[] {
    return this.command('operator', [
      [orgStream(this.orgId), { type: 'OrganizationCreated', data: { orgId: this.orgId, name, policy: { firstKeyRequiresAdmin: true }, superAdminId } }],
      [orgStream(this.orgId), { type: 'AgentAdded', data: agentData(superAdminId, 'SUPER_ADMIN') }],
    ]);
  }

  addAgent(actor: string, agentId: string, role: Role): StreamEvent[] {
    return this.command(actor, [[orgStream(this.orgId), { type: 'AgentAdded', data: agentData(agentId, role) }]]);
  }

  /** A change to AUDITOR releases the agent's keys like a removal does (R18). */
  changeRole(actor: string, agentId: string, from: Role, to: Role): StreamEvent[] {
    const change: [string, LogEvent] = [orgStream(this.orgId), { type: 'AgentRoleChanged', data: { agentId, from, to } }];
    return this.command(actor, [change, ...(to === 'AUDITOR' ? this.release(actor, agentId, 'ROLE_CHANGED_TO_AUDITOR') : [])]);
  }

  /** Removal revokes the key and cancels the pending request (R9). */
  removeAgent(actor: string, agentId: string, role: Role): StreamEvent[] {
    const removal: [string, LogEvent] = [orgStream(this.orgId), { type: 'AgentRemoved', data: { agentId, role } }];
    return this.command(actor, [removal, ...this.release(actor, agentId, 'AGENT_REMOVED')]);
  }

  /** The pending request cancelled, then the ACTIVE key revoked, as the key decider releases them. */
  private release(actor: string, agentId: string, reason: KeyReleaseReason): Array<[string, LogEvent]> {
    const events: Array<[string, LogEvent]> = [];
    const pending = this.pending.get(agentId);
    if (pending) {
      events.push([
        this.agentStream(agentId),
        { type: 'KeyRequestCancelled', data: { requestId: pending.requestId, agentId, reason, cancelledBy: actor } },
      ]);
    }
    const active = this.active.get(agentId);
    if (active) events.push([this.agentStream(agentId), this.revoked(active, reason, actor)]);
    this.active.delete(agentId);
    this.pending.delete(agentId);
    return events;
  }

  /** A key request (replacing a pending one); the org's first key is approved at once (R4). */
  requestKey(agentId: string, requestId = newId(), firstKey = false): StreamEvent[] {
    const key = this.newKey(agentId, requestId);
    const stream = this.agentStream(agentId);
    const events: Array<[string, LogEvent]> = [];
    const pending = this.pending.get(agentId);
    if (pending) {
      events.push([
        stream,
        { type: 'KeyRequestCancelled', data: { requestId: pending.requestId, agentId, reason: 'REPLACED_BY_NEW_REQUEST', cancelledBy: agentId } },
      ]);
    }
    const replaces = this.active.get(agentId);
    events.push([
      stream,
      {
        type: 'KeyRequested',
        data: {
          requestId,
          agentId,
          publicKey: key.publicKey,
          fingerprint: key.fingerprint,
          verificationCode: key.verificationCode,
          proof: proof(key.publicKey, 'KEY_REQUEST'),
          ...(replaces && { replacesFingerprint: replaces.fingerprint }),
        },
      },
    ]);
    this.pending.set(agentId, key);
    if (firstKey) {
      events.push([orgStream(this.orgId), { type: 'FirstKeyAssigned', data: { agentId, requestId } }]);
      events.push([stream, this.approved(key, { mode: 'FIRST_KEY' })]);
    }
    return this.command(agentId, events);
  }

  /** Approval of the agent's pending request; an ACTIVE key is revoked first (R8). */
  approve(approver: string, agentId: string, mode: SignedApproval['mode'] = 'APPROVAL'): StreamEvent[] {
    const key = this.pendingOf(agentId);
    const stream = this.agentStream(agentId);
    const events: Array<[string, LogEvent]> = [];
    const replaced = this.active.get(agentId);
    if (replaced) events.push([stream, this.revoked(replaced, 'REPLACED', approver)]);
    events.push([stream, this.approved(key, { mode, approvedBy: approver, decision: proof(key.publicKey, 'KEY_DECISION') })]);
    return this.command(approver, events);
  }

  /** R20 M-of-N: an approval below the threshold, signed with the approver's ACTIVE key; `approvals` are those that count, this one last. */
  recordApproval(approver: string, agentId: string, approvals: string[], required = approvals.length + 1): StreamEvent[] {
    const { requestId } = this.pendingOf(agentId);
    const signer = this.active.get(approver);
    if (!signer) throw new Error(`${approver} has no ACTIVE key to sign with`);
    return this.command(approver, [
      [
        this.agentStream(agentId),
        { type: 'KeyApprovalRecorded', data: { requestId, agentId, approvedBy: approver, approvals, required, decision: proof(signer.publicKey, 'KEY_DECISION') } },
      ],
    ]);
  }

  reject(approver: string, agentId: string): StreamEvent[] {
    const key = this.pendingOf(agentId);
    this.pending.delete(agentId);
    return this.command(approver, [
      [
        this.agentStream(agentId),
        { type: 'KeyRejected', data: { requestId: key.requestId, agentId, rejectedBy: approver, reason: 'Unknown device', decision: proof(key.publicKey, 'KEY_DECISION') } },
      ],
    ]);
  }

  /** A wrong verification code (R5); the 5th locks the request. */
  failApproval(approver: string, agentId: string): StreamEvent[] {
    const key = this.pendingOf(agentId);
    const failedAttempts = (this.failures.get(key.requestId) ?? 0) + 1;
    this.failures.set(key.requestId, failedAttempts);
    const stream = this.agentStream(agentId);
    const events: Array<[string, LogEvent]> = [
      [
        stream,
        {
          type: 'KeyApprovalAttemptFailed',
          data: {
            requestId: key.requestId,
            agentId,
            attemptedBy: approver,
            failure: 'VERIFICATION_CODE_MISMATCH',
            failedAttempts,
            attemptsLeft: Math.max(0, 5 - failedAttempts),
            nonce: newId(),
            decision: proof(key.publicKey, 'KEY_DECISION'),
          },
        },
      ],
    ];
    if (failedAttempts >= 5) {
      events.push([stream, { type: 'KeyRequestLocked', data: { requestId: key.requestId, agentId, failedAttempts } }]);
      this.pending.delete(agentId);
    }
    return this.command(approver, events);
  }

  /** R20: the pending request expired under the default policy (the deadline scheduler's command). */
  expire(agentId: string): StreamEvent[] {
    const key = this.pendingOf(agentId);
    this.pending.delete(agentId);
    return this.command('policy', [[this.agentStream(agentId), { type: 'KeyRequestExpired', data: { requestId: key.requestId, agentId, expiryHours: 168 } }]]);
  }

  /** R20: the approvers of the pending request were reminded under the default policy. */
  remind(agentId: string): StreamEvent[] {
    const key = this.pendingOf(agentId);
    return this.command('policy', [[this.agentStream(agentId), { type: 'KeyRequestReminderSent', data: { requestId: key.requestId, agentId, reminderAfterHours: 48 } }]]);
  }

  revoke(admin: string, agentId: string): StreamEvent[] {
    const key = this.active.get(agentId);
    if (!key) throw new Error(`${agentId} has no ACTIVE key`);
    this.active.delete(agentId);
    return this.command(admin, [[this.agentStream(agentId), this.revoked(key, 'REVOKED_BY_ADMIN', admin)]]);
  }

  setPromptFrequency(agentId: string, browserId: string, frequency: PromptFrequency): StreamEvent[] {
    const key = this.active.get(agentId);
    if (!key) throw new Error(`${agentId} has no ACTIVE key to sign with`);
    return this.frequencyChange(agentId, browserId, frequency, { reason: 'SET', keyFingerprint: key.fingerprint, proof: proof(key.publicKey, 'PROMPT_FREQUENCY'), signedAt: this.nextCommandTime() });
  }

  logOut(agentId: string, browserId: string): StreamEvent[] {
    return this.frequencyChange(agentId, browserId, 'EVERY_TASK', { reason: 'LOGOUT' });
  }

  sensitiveTask(agentId: string, browserId: string, task: string): StreamEvent[] {
    const key = this.active.get(agentId);
    const stream = browserStream(this.orgId, agentId, browserId);
    const at = this.nextCommandTime();
    // A signature opens the browser's remembered window, as long as its frequency says (R11).
    const window = REMEMBER_WINDOW_MS[this.frequencies.get(`${agentId}~${browserId}`) ?? 'EVERY_TASK'];
    const event: LogEvent = key
      ? {
          type: 'SensitiveTaskAuthorized',
          data: {
            agentId,
            browserId,
            task,
            method: 'SIGNATURE',
            keyFingerprint: key.fingerprint,
            validUntil: new Date(Date.parse(at) + window).toISOString(),
            proof: proof(key.publicKey, 'SENSITIVE_TASK'),
            signedAt: at,
          },
        }
      : { type: 'SensitiveTaskRefused', data: { agentId, browserId, task, reason: 'NO_ACTIVE_KEY' } };
    return this.command(agentId, [[stream, event]]);
  }

  hasActiveKey(agentId: string): boolean {
    return this.active.has(agentId);
  }

  hasPendingRequest(agentId: string): boolean {
    return this.pending.has(agentId);
  }

  /** `change`: the reason, with what a signed change records. */
  private frequencyChange(agentId: string, browserId: string, frequency: PromptFrequency, change: { reason: 'LOGOUT' } | Pick<FrequencySet, 'reason' | 'keyFingerprint' | 'proof' | 'signedAt'>): StreamEvent[] {
    const id = `${agentId}~${browserId}`;
    const previous = this.frequencies.get(id) ?? 'EVERY_TASK';
    this.frequencies.set(id, frequency);
    return this.command(agentId, [
      [
        browserStream(this.orgId, agentId, browserId),
        {
          type: 'PromptFrequencyChanged',
          data: {
            agentId,
            browserId,
            frequency,
            previous,
            ...change,
          },
        },
      ],
    ]);
  }

  /** `how`: the mode, with the approver and decision of a signed one. */
  private approved(key: Key, how: { mode: 'FIRST_KEY' } | Pick<SignedApproval, 'mode' | 'approvedBy' | 'decision'>): LogEvent {
    this.pending.delete(key.agentId);
    this.active.set(key.agentId, key);
    for (const id of this.frequencies.keys()) if (id.startsWith(`${key.agentId}~`)) this.frequencies.set(id, 'EVERY_TASK');
    const { requestId, agentId, publicKey, fingerprint } = key;
    return {
      type: 'KeyApproved',
      data: { requestId, agentId, publicKey, fingerprint, ...how },
    };
  }

  private revoked(key: Key, reasonCode: KeyRevoked['data']['reasonCode'], revokedBy: string): LogEvent {
    this.active.delete(key.agentId);
    for (const id of this.frequencies.keys()) if (id.startsWith(`${key.agentId}~`)) this.frequencies.set(id, 'EVERY_TASK');
    const { agentId, requestId, fingerprint } = key;
    return { type: 'KeyRevoked', data: { agentId, requestId, fingerprint, reasonCode, reason: `${reasonCode} in a test`, revokedBy } };
  }

  private pendingOf(agentId: string): Key {
    const key = this.pending.get(agentId);
    if (!key) throw new Error(`${agentId} has no PENDING request`);
    return key;
  }

  private newKey(agentId: string, requestId: string): Key {
    const raw = createHash('sha256').update(`${this.orgId}/${agentId}/${requestId}`).digest();
    const fingerprint = createHash('sha256').update(raw).digest('hex');
    const digits = BigInt(`0x${fingerprint.slice(0, 16)}`) % 10n ** 15n;
    const verificationCode = digits.toString().padStart(15, '0').match(/\d{3}/g)!.join('-');
    return { requestId, agentId, publicKey: raw.toString('base64url'), fingerprint, verificationCode };
  }

  private agentStream(agentId: string): string {
    return agentStream(this.orgId, agentId);
  }

  private now(): string {
    return new Date(START + this.tick * this.step * 1000).toISOString();
  }

  /** occurredAt of the command being built: a signature in it is made then. */
  private nextCommandTime(): string {
    return new Date(START + (this.tick + 1) * this.step * 1000).toISOString();
  }

  /** Lets time pass without a command (windows close, keys age). */
  wait(seconds: number): void {
    this.tick += seconds / this.step;
  }

  /** One command: its events share occurredAt, correlation and causation. */
  private command(actor: string, events: Array<[string, LogEvent]>): StreamEvent[] {
    this.tick += 1;
    const occurredAt = this.now();
    const correlationId = newId();
    return events.map(([stream, event]) => ({
      stream,
      event: {
        ...event,
        id: newId(),
        schemaVersion: EVENT_CATALOGUE[event.type],
        metadata: { actor, orgId: this.orgId, occurredAt, correlationId, causationId: correlationId },
      },
    }));
  }
}

const agentData = (agentId: string, role: Role) => ({ agentId, email: `${agentId}@example.test`, displayName: `Agent ${agentId}`, role });

export const CHALLENGE_EXPIRES_AT = '2026-01-01T00:05:00.000Z';

function proof(publicKey: string, purpose: string): RecordedProof {
  // The challenge's expiry: a key request's deadlines count from it (R20).
  const statement = JSON.stringify({ purpose, nonce: newId(), publicKey, expiresAt: CHALLENGE_EXPIRES_AT });
  return { statement, signature: createHash('sha512').update(statement).digest('base64url'), publicKey };
}
