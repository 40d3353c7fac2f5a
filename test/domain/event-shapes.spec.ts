import { decode, UndecodableEvent } from '../../src/domain/events/decode';
import { decodeChecked } from '../../src/domain/events/decode-checked';
import { EVENT_CATALOGUE, OLDER_VERSIONS, type LogEvent, type LogEventType } from '../../src/domain/events/event-catalogue';
import { OLDER_SHAPES } from '../../src/domain/events/event-shapes';
import { DEFAULT_ORG_POLICY } from '../../src/domain/organization/org-policy';

const T = '2025-03-01T10:00:00.000Z';
const KEY = 'A'.repeat(43);
const statementOf = (challenge: Record<string, unknown>): string => JSON.stringify({ purpose: 'KEY_DECISION', nonce: 'n1', issuedAt: T, expiresAt: T, ...challenge });
const proof = { statement: statementOf({}), signature: 'c2ln', publicKey: KEY };
const ofRequest = { requestId: 'r1', agentId: 'carol' };

/** One event of each type, every optional field set (what a decider emits is checked in given-when-then.ts). */
const SAMPLES: { [T in LogEventType]: Extract<LogEvent, { type: T }>['data'] } = {
  OrganizationCreated: { orgId: 'acme', name: 'Acme', policy: DEFAULT_ORG_POLICY, superAdminId: 'alice' },
  AgentAdded: { agentId: 'carol', email: 'carol@example.com', displayName: 'Carol', role: 'MEMBER' },
  AgentRoleChanged: { agentId: 'carol', from: 'MEMBER', to: 'ADMIN' },
  AgentRemoved: { agentId: 'carol', role: 'MEMBER' },
  FirstKeyAssigned: { agentId: 'alice', requestId: 'r0' },
  OrgPolicyChanged: { policy: DEFAULT_ORG_POLICY, previous: DEFAULT_ORG_POLICY, changedBy: 'alice', decision: proof },
  KeyRequested: { ...ofRequest, publicKey: KEY, fingerprint: 'ab', verificationCode: '123-456', proof, replacesFingerprint: 'cd' },
  KeyApproved: { ...ofRequest, publicKey: KEY, fingerprint: 'ab', mode: 'APPROVAL', approvedBy: 'bob', decision: proof },
  KeyApprovalRecorded: { ...ofRequest, approvedBy: 'bob', approvals: ['bob'], required: 2, decision: proof },
  KeyRejected: { ...ofRequest, rejectedBy: 'bob', reason: 'unknown key', decision: proof },
  KeyApprovalAttemptFailed: { ...ofRequest, attemptedBy: 'bob', failure: 'VERIFICATION_CODE_MISMATCH', failedAttempts: 1, attemptsLeft: 4, nonce: 'n1', decision: proof },
  KeyRequestLocked: { ...ofRequest, failedAttempts: 5 },
  KeyRequestCancelled: { ...ofRequest, reason: 'REPLACED_BY_NEW_REQUEST', cancelledBy: 'carol' },
  KeyRevoked: { ...ofRequest, fingerprint: 'ab', reasonCode: 'REVOKED_BY_ADMIN', reason: 'lost laptop', revokedBy: 'bob' },
  KeyRequestExpired: { ...ofRequest, expiryHours: 168 },
  KeyRequestReminderSent: { ...ofRequest, reminderAfterHours: 48 },
  PublicKeyClaimed: { fingerprint: 'ab', agentId: 'carol', requestId: 'r1' },
  PromptFrequencyChanged: { agentId: 'carol', browserId: 'b1', frequency: 'DAILY', previous: 'EVERY_TASK', reason: 'SET', keyFingerprint: 'ab', proof, signedAt: T, changeId: 'c1' },
  SensitiveTaskAuthorized: { agentId: 'carol', browserId: 'b1', task: 'export', method: 'SIGNATURE', keyFingerprint: 'ab', validUntil: T, proof, signedAt: T, authorizationId: 'a1' },
  SensitiveTaskRefused: { agentId: 'carol', browserId: 'b1', task: 'export', reason: 'PROMPT_REQUIRED' },
  RecoveryStarted: { recoveryId: 'rc1', agentId: 'alice', startedAt: T, effectiveAt: T, remindAt: T, delayHours: 144, withWorkingApprover: true },
  RecoveryReminderSent: { recoveryId: 'rc1', agentId: 'alice' },
  RecoveryVetoed: { recoveryId: 'rc1', agentId: 'alice', vetoedBy: 'bob', decision: proof },
  RecoveryCompleted: { recoveryId: 'rc1', agentId: 'alice', requestId: 'r2', fingerprint: 'ab' },
  RecoveryLapsed: { recoveryId: 'rc1', agentId: 'alice', reason: 'AGENT_DEMOTED' },
  CheckpointSigned: { size: 3, note: 'ztkeys.local/audit-log/acme\n3\n...' },
};

type Data = Record<string, any>;

/** Per type, data of another shape: the field decode must name, and what it says was expected. */
const WRONG: [LogEventType, (data: Data) => void, string][] = [
  ['OrganizationCreated', (data) => (data.policy.memberKeyApprovals = '1'), 'data.policy.memberKeyApprovals: Invalid input: expected number, received string'],
  ['AgentAdded', (data) => (data.role = 'OWNER'), 'data.role: Invalid option: expected one of "MEMBER"|"ADMIN"|"SUPER_ADMIN"|"AUDITOR"'],
  ['AgentRoleChanged', (data) => delete data.to, 'data.to: Invalid option: expected one of "MEMBER"|"ADMIN"|"SUPER_ADMIN"|"AUDITOR"'],
  ['AgentRemoved', (data) => (data.agentId = 7), 'data.agentId: Invalid input: expected string, received number'],
  ['FirstKeyAssigned', (data) => (data.requestId = { id: 'r0' }), 'data.requestId: Invalid input: expected string, received object'],
  ['OrgPolicyChanged', (data) => (data.previous = { ...data.previous, quorum: 2 }), 'data.previous.quorum: no member of OrgPolicyChanged data'],
  ['KeyRequested', (data) => delete data.agentId, 'data.agentId: Invalid input: expected string, received undefined'],
  ['KeyApproved', (data) => (data.fingerprint = 42), 'data.fingerprint: Invalid input: expected string, received number'],
  ['KeyApprovalRecorded', (data) => (data.approvals = 'bob'), 'data.approvals: Invalid input: expected array, received string'],
  ['KeyRejected', (data) => (data.decision.signature = null), 'data.decision.signature: Invalid input: expected string, received null'],
  ['KeyApprovalAttemptFailed', (data) => (data.failedAttempts = 1.5), 'data.failedAttempts: Invalid input: expected int, received number'],
  ['KeyRequestLocked', (data) => (data.failedAttempts = -5), 'data.failedAttempts: Too small: expected number to be >=0'],
  ['KeyRequestCancelled', (data) => (data.reason = 'BORED'), 'data.reason: Invalid option: expected one of "REPLACED_BY_NEW_REQUEST"|"AGENT_REMOVED"|"ROLE_CHANGED_TO_AUDITOR"'],
  ['KeyRevoked', (data) => (data['revoked by'] = 'bob'), 'data["revoked by"]: no member of KeyRevoked data'],
  ['KeyRequestExpired', (data) => (data.expiryHours = '168'), 'data.expiryHours: Invalid input: expected number, received string'],
  ['KeyRequestReminderSent', (data) => (data.requestId = ['r1']), 'data.requestId: Invalid input: expected string, received array'],
  ['PublicKeyClaimed', (data) => (data.fingerprint = true), 'data.fingerprint: Invalid input: expected string, received boolean'],
  ['PromptFrequencyChanged', (data) => (data.signedAt = 'yesterday'), 'data.signedAt: Invalid input: expected a time as the log writes it: ISO 8601 in UTC to the millisecond (Date.toISOString)'],
  ['SensitiveTaskAuthorized', (data) => (data.proof = { ...data.proof, extra: { nested: 1 } }), 'data.proof.extra: no member of SensitiveTaskAuthorized data'],
  ['SensitiveTaskRefused', (data) => (data.task = null), 'data.task: Invalid input: expected string, received null'],
  ['RecoveryStarted', (data) => (data.withWorkingApprover = 'yes'), 'data.withWorkingApprover: Invalid input: expected boolean, received string'],
  ['RecoveryReminderSent', (data) => (data.recoveryId = 1), 'data.recoveryId: Invalid input: expected string, received number'],
  ['RecoveryVetoed', (data) => delete data.decision, 'data.decision: Invalid input: expected object, received undefined'],
  ['RecoveryCompleted', (data) => (data.extra = 'x'), 'data.extra: no member of RecoveryCompleted data'],
  ['RecoveryLapsed', (data) => (data.reason = 'AGENT_RETIRED'), 'data.reason: Invalid option: expected one of "AGENT_DEMOTED"|"AGENT_REMOVED"|"UNCLAIMED"'],
  ['CheckpointSigned', (data) => (data.size = 1e400), 'data.size: Invalid input: expected number, received Infinity'],
];

const record = (type: LogEventType, data: unknown) => ({ type, schemaVersion: EVENT_CATALOGUE[type], data });
const checked = (type: LogEventType, data: unknown) => decodeChecked(record(type, data), EVENT_CATALOGUE);

describe('the data shapes of the checked decode', () => {
  it('has a shape for each older schema version decode reads, and for no other', () => {
    const versions = (shapes: Readonly<Record<number, unknown>> | undefined) => Object.keys(shapes ?? {}).map(Number);
    for (const type of Object.keys(EVENT_CATALOGUE) as LogEventType[]) expect([type, versions(OLDER_SHAPES[type])]).toEqual([type, [...(OLDER_VERSIONS[type] ?? [])]]);
  });

  it('has a sample and a wrong shape for every type of the catalogue', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(Object.keys(EVENT_CATALOGUE).sort());
    expect(WRONG.map(([type]) => type).sort()).toEqual(Object.keys(EVENT_CATALOGUE).sort());
  });

  it.each(Object.entries(SAMPLES))('takes %s with every optional field, and gives the record back as stored', (type, data) => {
    const stored = record(type as LogEventType, data);
    expect(decodeChecked(stored, EVENT_CATALOGUE)).toBe(stored);
  });

  it.each(WRONG)('refuses %s of another shape, naming the field and what it expected', (type, edit, expected) => {
    const data = structuredClone(SAMPLES[type]) as Data;
    edit(data);
    let error: unknown;
    try {
      checked(type, data);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(UndecodableEvent);
    expect(error).toMatchObject({ type, field: expected.slice(0, expected.indexOf(': ')), message: `cannot decode event ${type} v${EVENT_CATALOGUE[type]}: ${expected}` });
    // Unchecked, the store's own readers take it as it is: their log is the one the deciders wrote.
    expect(decode(record(type, data)).data).toBe(data);
  });

  it('refuses a public key that is not 32 bytes of canonical base64url: fingerprints and codes are derived from its bytes', () => {
    for (const publicKey of ['a2V5', `${KEY}=`, `${'A'.repeat(42)}B`, '!'.repeat(43)]) {
      expect(() => checked('KeyRequested', { ...SAMPLES.KeyRequested, publicKey })).toThrow('cannot decode event KeyRequested v1: data.publicKey: Invalid input: expected a raw 32-byte key in canonical base64url');
      expect(() => checked('RecoveryVetoed', { ...SAMPLES.RecoveryVetoed, decision: { ...proof, publicKey } })).toThrow('data.decision.publicKey: Invalid input');
    }
  });

  it("refuses a time in any other form than the log's (UTC, to the millisecond): Date reads one without a zone as the reader's local time, so two verifiers in two zones would read two instants", () => {
    const others = ['2025-03-01T10:00:00.000', '2025-03-01T10:00:00Z', '2025-03-01T10:00:00.000000Z', '2025-03-01T10:00:00.000+00:00', '2025-02-30T10:00:00.000Z', '+275760-09-13T00:00:00.000Z', 'Sat, 01 Mar 2025 10:00:00 GMT'];
    const form = 'ISO 8601 in UTC to the millisecond';
    for (const time of others) {
      expect(() => checked('RecoveryStarted', { ...SAMPLES.RecoveryStarted, effectiveAt: time })).toThrow(`data.effectiveAt: Invalid input: expected a time as the log writes it: ${form}`);
      expect(() => checked('SensitiveTaskAuthorized', { ...SAMPLES.SensitiveTaskAuthorized, validUntil: time })).toThrow(`data.validUntil: Invalid input: expected a time as the log writes it: ${form}`);
      for (const field of ['issuedAt', 'expiresAt']) {
        const decision = { ...proof, statement: statementOf({ [field]: time }) };
        expect(() => checked('KeyRejected', { ...SAMPLES.KeyRejected, decision })).toThrow(new RegExp(`^cannot decode event KeyRejected v1: data\\.decision\\.statement: Invalid input: expected a challenge statement: .*${form}`));
      }
    }
  });

  it('refuses a proof whose statement is no challenge: not JSON, not a flat object, a number JSON cannot carry', () => {
    for (const statement of ['{', '[]', 'null', statementOf({ nested: { a: 1 } }), statementOf({}).replace('"n1"', '1e400')]) {
      expect(() => checked('KeyRequested', { ...SAMPLES.KeyRequested, proof: { ...proof, statement } })).toThrow('cannot decode event KeyRequested v1: data.proof.statement: Invalid input: expected a challenge statement');
    }
  });

  it('refuses on a LOGOUT what only a signed change records (its proof, key, signing time, request id): the replay checks no signature on a LOGOUT, and the fold would read them', () => {
    const logout = { agentId: 'carol', browserId: 'b1', frequency: 'EVERY_TASK', previous: 'DAILY', reason: 'LOGOUT' };
    expect(() => checked('PromptFrequencyChanged', logout)).not.toThrow();
    expect(() => checked('PromptFrequencyChanged', { ...logout, reason: 'GUESSED' })).toThrow("data.reason: Invalid discriminator value. Expected 'SET' | 'LOGOUT'");
    const { keyFingerprint, signedAt, changeId } = SAMPLES.PromptFrequencyChanged as Data;
    for (const [member, value] of Object.entries({ proof, keyFingerprint, signedAt, changeId })) {
      for (const schemaVersion of [1, 2]) {
        expect(() => decodeChecked({ type: 'PromptFrequencyChanged', schemaVersion, data: { ...logout, [member]: value } }, EVENT_CATALOGUE)).toThrow(
          `cannot decode event PromptFrequencyChanged v${schemaVersion}: data.${member}: no member of PromptFrequencyChanged data`,
        );
      }
    }
  });

  it('refuses a task authorization carrying what its method never records, or lacking what it always does, at every schema version decode reads: a REMEMBERED one has no proof nor signing time (the fold and the as-of query would read a new signature), a SIGNATURE one has both', () => {
    const { proof: signed, signedAt, authorizationId, ...common } = SAMPLES.SensitiveTaskAuthorized as Data;
    const remembered = { ...common, method: 'REMEMBERED' };
    for (const schemaVersion of [1, 2]) {
      const at = (data: Data) => () => decodeChecked({ type: 'SensitiveTaskAuthorized', schemaVersion, data }, EVENT_CATALOGUE);
      const refused = (reason: string) => `cannot decode event SensitiveTaskAuthorized v${schemaVersion}: ${reason}`;
      expect(at(remembered)).not.toThrow();
      expect(at({ ...common, proof: signed, signedAt })).not.toThrow();
      expect(at({ ...remembered, method: 'GUESSED' })).toThrow("data.method: Invalid discriminator value. Expected 'SIGNATURE' | 'REMEMBERED'");
      for (const [member, value] of Object.entries({ proof: signed, signedAt })) {
        expect(at({ ...remembered, [member]: value })).toThrow(refused(`data.${member}: no member of SensitiveTaskAuthorized data`));
      }
      expect(at({ ...common, signedAt })).toThrow(refused('data.proof: Invalid input: expected object, received undefined'));
      expect(at({ ...common, proof: signed })).toThrow(refused('data.signedAt: Invalid input: expected string, received undefined'));
      // The request's id is the method's neither: v2 has it on both, v1 on none.
      for (const data of [remembered, { ...common, proof: signed, signedAt }]) {
        if (schemaVersion === 2) expect(at({ ...data, authorizationId })).not.toThrow();
        else expect(at({ ...data, authorizationId })).toThrow(refused('data.authorizationId: no member of SensitiveTaskAuthorized data'));
      }
    }
  });

  it('refuses a signed prompt frequency change lacking its key, proof or signing time, at every schema version decode reads: the server writes all three on every SET', () => {
    const set = SAMPLES.PromptFrequencyChanged as Data;
    for (const schemaVersion of [1, 2]) {
      for (const [member, received] of [['keyFingerprint', 'string'], ['proof', 'object'], ['signedAt', 'string']]) {
        const { [member]: _left, changeId: _id, ...data } = set;
        expect(() => decodeChecked({ type: 'PromptFrequencyChanged', schemaVersion, data }, EVENT_CATALOGUE)).toThrow(
          `cannot decode event PromptFrequencyChanged v${schemaVersion}: data.${member}: Invalid input: expected ${received}, received undefined`,
        );
      }
    }
  });

  it('refuses a key approval carrying what its mode never records, or lacking what it always does: an approver and decision only on an APPROVAL or ROTATION, a recovery only on a RECOVERY grant', () => {
    const { approvedBy, decision, mode: _mode, ...key } = SAMPLES.KeyApproved as Data;
    const recoveryId = 'rc1';
    const approvedKey = (data: Data) => () => checked('KeyApproved', { ...key, ...data });
    expect(approvedKey({ mode: 'FIRST_KEY' })).not.toThrow();
    expect(approvedKey({ mode: 'ROTATION', approvedBy, decision })).not.toThrow();
    expect(approvedKey({ mode: 'RECOVERY', recoveryId })).not.toThrow();
    expect(approvedKey({ mode: 'GUESSED' })).toThrow("data.mode: Invalid discriminator value. Expected 'FIRST_KEY' | 'APPROVAL' | 'ROTATION' | 'RECOVERY'");
    const refused = (reason: string) => `cannot decode event KeyApproved v1: ${reason}`;
    const cases: Array<[Data, string]> = [
      [{ mode: 'FIRST_KEY', recoveryId }, 'data.recoveryId: no member of KeyApproved data'],
      [{ mode: 'FIRST_KEY', approvedBy }, 'data.approvedBy: no member of KeyApproved data'],
      [{ mode: 'FIRST_KEY', decision }, 'data.decision: no member of KeyApproved data'],
      [{ mode: 'APPROVAL', approvedBy, decision, recoveryId }, 'data.recoveryId: no member of KeyApproved data'],
      [{ mode: 'APPROVAL', approvedBy }, 'data.decision: Invalid input: expected object, received undefined'],
      [{ mode: 'ROTATION', decision }, 'data.approvedBy: Invalid input: expected string, received undefined'],
      [{ mode: 'RECOVERY', recoveryId, approvedBy, decision }, 'data.approvedBy: no member of KeyApproved data'],
      [{ mode: 'RECOVERY' }, 'data.recoveryId: Invalid input: expected string, received undefined'],
    ];
    for (const [data, reason] of cases) expect(approvedKey(data)).toThrow(refused(reason));
  });

  it('takes an org created before R20, whose policy recorded only firstKeyRequiresAdmin', () => {
    expect(() => checked('OrganizationCreated', { ...SAMPLES.OrganizationCreated, policy: { firstKeyRequiresAdmin: false } })).not.toThrow();
  });
});
