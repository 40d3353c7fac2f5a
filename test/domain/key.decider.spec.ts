import { CLOCK_SKEW_TOLERANCE_MS } from '../../src/domain/shared/signed-proof';
import { verifyEd25519 } from '../../src/crypto/ed25519-verify';
import { fold } from '../../src/domain/shared/decider';
import { rememberedNonces } from '../../src/domain/shared/used-nonces';
import type { KeyCommand } from '../../src/domain/signature-key/key.commands';
import { keyDecider } from '../../src/domain/signature-key/key.decider';
import { keyReleaseFor } from '../../src/domain/signature-key/key-release';
import { signedApproval, type KeyApproved, type KeyEvent, type KeyRejected, type KeyReleaseReason } from '../../src/domain/signature-key/key.events';
import { activeKeyOf } from '../../src/domain/signature-key/key.state';
import { asActiveKey, generateKeyPair } from '../support/ed25519-keys';
import { given, history } from './given-when-then';
import { HOUR, MINUTE, ORG, T0, actor, approveKey, at, codeOf, decisionProof, keyRequestProof, rejectKey, requestKey } from './key-fixtures';

const aliceKey = generateKeyPair();
const bobKey = generateKeyPair();
const malloryKey = generateKeyPair();
const carolKey = generateKeyPair();
const carolNewKey = generateKeyPair();

const ALICE = actor('alice', 'SUPER_ADMIN', aliceKey);
const BOB = actor('bob', 'ADMIN', bobKey);
const MALLORY = actor('mallory', 'MEMBER', malloryKey);
const DAN = actor('dan', 'ADMIN');
const CAROL = actor('carol', 'MEMBER');
const CAROL_WITH_KEY = actor('carol', 'MEMBER', carolKey, 'r1');
const r1 = { requestId: 'r1', publicKey: carolKey.publicKey };
const r2 = { requestId: 'r2', publicKey: carolNewKey.publicKey };
const CODE = codeOf('carol', carolKey);
const WRONG_CODE = '000-000-000-000-000';

const run = (commands: KeyCommand[], given: KeyEvent[] = []): KeyEvent[] => history(keyDecider, commands, given);
const keys = (events: KeyEvent[] = []) => given(keyDecider, events);
/** Carol asked for her first key in an org that already has one: r1 is PENDING. */
const carolPending = (): KeyEvent[] => run([requestKey(CAROL, carolKey, { requestId: 'r1' })]);
/** Alice approved r1: Carol's key is ACTIVE. */
const carolActive = (): KeyEvent[] => run([approveKey(ALICE, aliceKey, r1, CODE)], carolPending());
/** Carol asked to replace her ACTIVE key: r2 is PENDING. */
const carolReplacing = (): KeyEvent[] =>
  run([requestKey(CAROL_WITH_KEY, carolNewKey, { requestId: 'r2', now: at(MINUTE) })], carolActive());
const failures = (count: number, events = carolPending()): KeyEvent[] =>
  run(Array.from({ length: count }, () => approveKey(ALICE, aliceKey, r1, WRONG_CODE)), events);

describe('key decider', () => {
  describe('RequestKey (R2, R3, R4, R7, R8)', () => {
    it('records a PENDING request with its code, fingerprint and proof of possession once the org has a first key', () => {
      const command = requestKey(CAROL, carolKey, { requestId: 'r1' });
      keys().when(command).thenEvents([
        {
          type: 'KeyRequested',
          data: {
            requestId: 'r1',
            agentId: 'carol',
            publicKey: carolKey.publicKey,
            fingerprint: carolKey.fingerprint,
            verificationCode: CODE,
            proof: { statement: command.proof.statement, signature: command.proof.signature, publicKey: carolKey.publicKey },
          },
        },
      ]);
      expect(CODE).toMatch(/^\d{3}(-\d{3}){4}$/);
    });

    it('grants the FIRST_KEY of the org to an ADMIN at once', () => {
      const command = requestKey(BOB, bobKey, { requestId: 'b1', firstKeyAssigned: false });
      const [requested, approved] = keys().when(command).events();
      expect(requested.type).toBe('KeyRequested');
      expect(approved).toEqual({
        type: 'KeyApproved',
        data: { requestId: 'b1', agentId: 'bob', publicKey: bobKey.publicKey, fingerprint: bobKey.fingerprint, mode: 'FIRST_KEY' },
      });
    });

    it('refuses the FIRST_KEY to a MEMBER under the default policy, saying why', () => {
      const refusal = keys()
        .when(requestKey(CAROL, carolKey, { requestId: 'r1', firstKeyAssigned: false }))
        .thenRefused('CONFLICT', 'FIRST_KEY_REQUIRES_ADMIN');
      expect(refusal.message).toMatch(/ADMIN or SUPER_ADMIN/);
      expect(refusal.message).toMatch(/approve/);
    });

    it('grants the FIRST_KEY to a MEMBER when the policy is off', () => {
      const events = keys()
        .when(requestKey(CAROL, carolKey, { requestId: 'r1', firstKeyAssigned: false, firstKeyRequiresAdmin: false }))
        .events();
      expect(events.map((event) => event.type)).toEqual(['KeyRequested', 'KeyApproved']);
      expect((events[1] as KeyApproved).data.mode).toBe('FIRST_KEY');
    });

    it('refuses an AUDITOR, who changes nothing and so holds no key', () => {
      keys().when(requestKey(actor('audrey', 'AUDITOR'), carolKey, { requestId: 'a1' })).thenRefused('FORBIDDEN', 'AUDITOR_CANNOT_HOLD_KEY');
    });

    it.each([
      ['not base64url', 'not+base64/url', 'NOT_BASE64URL'],
      ['of the wrong length', Buffer.alloc(31, 7).toString('base64url'), 'WRONG_LENGTH'],
      ['not a curve point', Buffer.concat([Buffer.from([2]), Buffer.alloc(31)]).toString('base64url'), 'NOT_A_POINT'],
      ['of small order (the identity)', Buffer.concat([Buffer.from([1]), Buffer.alloc(31)]).toString('base64url'), 'SMALL_ORDER'],
    ])('refuses a public key %s', (_, publicKey, problem) => {
      const command = { ...requestKey(CAROL, carolKey, { requestId: 'r1' }), publicKey };
      keys().when(command).thenRefused('UNPROCESSABLE', 'INVALID_PUBLIC_KEY', { problem });
    });

    it('refuses a proof that the new key did not sign (R3)', () => {
      keys()
        .when(requestKey(CAROL, carolKey, { requestId: 'r1', signer: malloryKey }))
        .thenRefused('UNPROCESSABLE', 'INVALID_SIGNATURE');
    });

    it.each([
      ['another purpose', { purpose: 'KEY_DECISION' as const }, 'purpose'],
      ['another public key', { publicKey: malloryKey.publicKey }, 'publicKey'],
      ['another agent', { agentId: 'mallory' }, 'agentId'],
      ['another org', { orgId: 'globex' }, 'orgId'],
    ])('refuses a challenge issued for %s', (_, fields, field) => {
      keys()
        .when(requestKey(CAROL, carolKey, { requestId: 'r1', fields }))
        .thenRefused('UNPROCESSABLE', 'CHALLENGE_MISMATCH', { field });
    });

    it('refuses a statement that is not the canonical text of its challenge', () => {
      const command = requestKey(CAROL, carolKey, { requestId: 'r1' });
      const statement = command.proof.statement.replace('"KEY_REQUEST"', '"KEY_REQUEST" ');
      const proof = { ...command.proof, statement, signature: carolKey.sign(statement) };
      keys().when({ ...command, proof }).thenRefused('UNPROCESSABLE', 'STATEMENT_MISMATCH');
    });

    it('accepts a challenge until it expires, 5 minutes after it was issued, plus the tolerated clock skew (R15)', () => {
      const proof = keyRequestProof('carol', carolKey, { now: T0 });
      const command = (now: string) => ({ ...requestKey(CAROL, carolKey, { requestId: 'r1', proof }), now });
      expect(keys().when(command(at(5 * MINUTE + CLOCK_SKEW_TOLERANCE_MS - 1))).events()).toHaveLength(1);
      keys().when(command(at(5 * MINUTE + CLOCK_SKEW_TOLERANCE_MS))).thenRefused('UNPROCESSABLE', 'CHALLENGE_EXPIRED');
    });

    it('accepts a challenge used up to the tolerated clock skew before it was issued (another instance\'s clock), and refuses one used earlier still', () => {
      const proof = keyRequestProof('carol', carolKey, { now: at(HOUR) });
      const command = (now: string) => ({ ...requestKey(CAROL, carolKey, { requestId: 'r1', proof }), now });
      expect(keys().when(command(at(HOUR - CLOCK_SKEW_TOLERANCE_MS))).events()).toHaveLength(1);
      keys().when(command(at(HOUR - CLOCK_SKEW_TOLERANCE_MS - 1))).thenRefused('UNPROCESSABLE', 'CHALLENGE_NOT_YET_VALID', { issuedAt: at(HOUR) });
    });

    it('refuses a challenge whose expiry lies further than 5 minutes after its issue', () => {
      const command = { ...requestKey(CAROL, carolKey, { requestId: 'r1', fields: { expiresAt: at(HOUR) } }), now: at(10 * MINUTE) };
      keys().when(command).thenRefused('UNPROCESSABLE', 'CHALLENGE_EXPIRED');
    });

    it('refuses a replayed challenge nonce', () => {
      const first = requestKey(CAROL, carolKey, { requestId: 'r1' });
      const rejected = run([rejectKey(ALICE, aliceKey, r1)], run([first]));
      keys(rejected).when({ ...first, requestId: 'r3' }).thenRefused('UNPROCESSABLE', 'CHALLENGE_REPLAYED');
    });

    it('refuses the key that is already ACTIVE', () => {
      keys(carolActive())
        .when(requestKey(CAROL_WITH_KEY, carolKey, { requestId: 'r2', now: at(MINUTE) }))
        .thenRefused('CONFLICT', 'KEY_ALREADY_ACTIVE');
    });

    it('refuses a key that was revoked', () => {
      const revoked = run([{ type: 'RevokeKey', orgId: ORG, agentId: 'carol', agentIsMember: true, actor: ALICE, reason: 'Laptop stolen', now: at(MINUTE) }], carolActive());
      keys(revoked).when(requestKey(CAROL, carolKey, { requestId: 'r2', now: at(2 * MINUTE) })).thenRefused('CONFLICT', 'KEY_REVOKED');
    });

    it('refuses a new request while one is PENDING (R7)', () => {
      keys(carolPending())
        .when(requestKey(CAROL, carolNewKey, { requestId: 'r2' }))
        .thenRefused('CONFLICT', 'REQUEST_PENDING', { pendingRequestId: 'r1' });
    });

    it('cancels the PENDING request first with replacePending (R7)', () => {
      const events = keys(carolPending()).when(requestKey(CAROL, carolNewKey, { requestId: 'r2', replacePending: true })).events();
      expect(events[0]).toEqual({
        type: 'KeyRequestCancelled',
        data: { requestId: 'r1', agentId: 'carol', reason: 'REPLACED_BY_NEW_REQUEST', cancelledBy: 'carol' },
      });
      expect(events.map((event) => event.type)).toEqual(['KeyRequestCancelled', 'KeyRequested']);
      expect(fold(keyDecider, events, keys(carolPending()).state).pendingRequestId).toBe('r2');
    });

    it('names the ACTIVE key a request would replace (R8)', () => {
      const [requested] = keys(carolActive()).when(requestKey(CAROL_WITH_KEY, carolNewKey, { requestId: 'r2' })).events();
      expect(requested).toMatchObject({ type: 'KeyRequested', data: { requestId: 'r2', replacesFingerprint: carolKey.fingerprint } });
    });

    it.each([
      ['REJECTED', () => run([rejectKey(ALICE, aliceKey, r1)], carolPending())],
      ['LOCKED', () => failures(5)],
    ])('lets a %s requester start again from scratch (R7)', (_, events) => {
      const [requested] = keys(events()).when(requestKey(CAROL, carolNewKey, { requestId: 'r2' })).events();
      expect(requested).toMatchObject({ type: 'KeyRequested', data: { requestId: 'r2' } });
    });
  });

  describe('ApproveKey (R5, R6, R8)', () => {
    it('approves with the right code, keeping a decision anyone can verify offline', () => {
      const command = approveKey(BOB, bobKey, r1, CODE);
      const [approved] = keys(carolPending()).when(command).thenEvents([
        {
          type: 'KeyApproved',
          data: {
            requestId: 'r1',
            agentId: 'carol',
            publicKey: carolKey.publicKey,
            fingerprint: carolKey.fingerprint,
            mode: 'APPROVAL',
            approvedBy: 'bob',
            decision: { statement: command.proof.statement, signature: command.proof.signature, publicKey: bobKey.publicKey },
          },
        },
      ]) as KeyApproved[];
      const { decision } = signedApproval(approved.data)!;
      expect(verifyEd25519(decision.publicKey, decision.statement, decision.signature)).toBe(true);
      expect(JSON.parse(decision.statement)).toMatchObject({ requestId: 'r1', requesterPublicKey: carolKey.publicKey, decision: 'APPROVE' });
      expect(activeKeyOf(fold(keyDecider, [approved], keys(carolPending()).state))).toEqual(asActiveKey(carolKey, 'r1'));
    });

    it('accepts the code with any separators', () => {
      const spaced = CODE.replace(/-/g, ' ');
      expect(keys(carolPending()).when(approveKey(ALICE, aliceKey, r1, spaced)).events()[0].type).toBe('KeyApproved');
    });

    it('revokes the replaced key (REPLACED) before approving the new one, so the log never shows two ACTIVE keys', () => {
      const command = approveKey(ALICE, aliceKey, r2, codeOf('carol', carolNewKey));
      const events = keys(carolReplacing()).when(command).events();
      expect(events).toEqual([
        {
          type: 'KeyRevoked',
          data: {
            agentId: 'carol',
            requestId: 'r1',
            fingerprint: carolKey.fingerprint,
            reasonCode: 'REPLACED',
            reason: `Replaced by key ${carolNewKey.fingerprint}`,
            revokedBy: 'alice',
          },
        },
        expect.objectContaining({ type: 'KeyApproved', data: expect.objectContaining({ requestId: 'r2', mode: 'APPROVAL' }) }),
      ]);
      const state = fold(keyDecider, events, keys(carolReplacing()).state);
      expect(activeKeyOf(state)).toEqual(asActiveKey(carolNewKey, 'r2'));
      expect(state.requests.get('r1')?.status).toBe('REVOKED');
    });

    it('refuses an unknown request', () => {
      keys(carolPending()).when(approveKey(ALICE, aliceKey, { ...r1, requestId: 'r9' }, CODE)).thenRefused('NOT_FOUND', 'REQUEST_NOT_FOUND');
    });

    it.each([
      ['APPROVED', carolActive],
      ['REJECTED', () => run([rejectKey(ALICE, aliceKey, r1)], carolPending())],
      ['LOCKED', () => failures(5)],
      ['CANCELLED', () => run([requestKey(CAROL, carolNewKey, { requestId: 'r2', replacePending: true })], carolPending())],
      ['REVOKED', () => run([{ type: 'RevokeKey', orgId: ORG, agentId: 'carol', agentIsMember: true, actor: ALICE, reason: 'Left the team', now: at(MINUTE) }], carolActive())],
    ])('refuses to approve or reject a %s request, naming its status', (status, events) => {
      const refusal = keys(events()).when(approveKey(BOB, bobKey, r1, CODE)).thenRefused('CONFLICT', 'REQUEST_NOT_PENDING', { requestStatus: status });
      expect(refusal.message).toContain(status);
      keys(events()).when(rejectKey(BOB, bobKey, r1)).thenRefused('CONFLICT', 'REQUEST_NOT_PENDING', { requestStatus: status });
    });

    it('refuses a MEMBER and an AUDITOR, even with an ACTIVE key', () => {
      keys(carolPending()).when(approveKey(MALLORY, malloryKey, r1, CODE)).thenRefused('FORBIDDEN', 'NOT_AN_APPROVER');
      keys(carolPending()).when(approveKey(actor('audrey', 'AUDITOR', malloryKey), malloryKey, r1, CODE)).thenRefused('FORBIDDEN', 'NOT_AN_APPROVER');
    });

    it.each([
      ['a PENDING', carolPending],
      ['a REJECTED', () => run([rejectKey(ALICE, aliceKey, r1)], carolPending())],
      ['no such', () => []],
    ])('refuses a non-approver before anything about %s request, so the refusal reveals nothing', (_what, events) => {
      for (const command of [approveKey(MALLORY, malloryKey, r1, CODE), rejectKey(MALLORY, malloryKey, r1)]) {
        const refusal = keys(events()).when(command).thenRefused('FORBIDDEN', 'NOT_AN_APPROVER');
        expect(refusal.details).toEqual({});
      }
    });

    it('refuses to approve the request of an agent who is now an AUDITOR (R18), and lets it be rejected', () => {
      keys(carolPending()).when(approveKey(ALICE, aliceKey, r1, CODE, { requesterRole: 'AUDITOR' })).thenRefused('CONFLICT', 'REQUESTER_IS_AUDITOR');
      expect(keys(carolPending()).when(rejectKey(ALICE, aliceKey, r1)).events().map((event) => event.type)).toEqual(['KeyRejected']);
    });

    it('refuses an approver without an ACTIVE key (a revoked key included)', () => {
      const refusal = keys(carolPending()).when(approveKey(DAN, bobKey, r1, CODE)).thenRefused('FORBIDDEN', 'APPROVER_HAS_NO_ACTIVE_KEY');
      expect(refusal.message).toMatch(/ACTIVE key/);
    });

    it('refuses a decision signed by a revoked key of an approver who has a new one', () => {
      const bobRotated = actor('bob', 'ADMIN', generateKeyPair(), 'bob-key-2');
      keys(carolPending()).when(approveKey(bobRotated, bobKey, r1, CODE)).thenRefused('UNPROCESSABLE', 'INVALID_SIGNATURE');
    });

    it('refuses a decision that the approver did not sign', () => {
      keys(carolPending()).when(approveKey(ALICE, aliceKey, r1, CODE, { signer: bobKey })).thenRefused('UNPROCESSABLE', 'INVALID_SIGNATURE');
    });

    it('refuses self-approval while another approver has an ACTIVE key', () => {
      const bobReplacing = run([requestKey(BOB, carolNewKey, { requestId: 'b2' })]);
      const bobRef = { requestId: 'b2', publicKey: carolNewKey.publicKey };
      const command = approveKey(BOB, bobKey, bobRef, codeOf('bob', carolNewKey), { activeApprovers: 1 });
      keys(bobReplacing).when(command).thenRefused('FORBIDDEN', 'SELF_DECISION');
    });

    describe('ROTATION of the only approver (R8)', () => {
      const newAliceKey = generateKeyPair();
      const aliceFirst = (): KeyEvent[] =>
        run([requestKey(actor('alice', 'SUPER_ADMIN'), aliceKey, { requestId: 'alice-key', firstKeyAssigned: false })]);
      const aliceReplacing = (): KeyEvent[] => run([requestKey(ALICE, newAliceKey, { requestId: 'a2', now: at(MINUTE) })], aliceFirst());
      const a2 = { requestId: 'a2', publicKey: newAliceKey.publicKey };

      it('approves their own replacement, signed by their current ACTIVE key, and revokes that key', () => {
        const command = approveKey(ALICE, aliceKey, a2, codeOf('alice', newAliceKey), { activeApprovers: 0, now: at(2 * MINUTE) });
        const events = keys(aliceReplacing()).when(command).events();
        expect(events).toEqual([
          expect.objectContaining({ type: 'KeyRevoked', data: expect.objectContaining({ requestId: 'alice-key', reasonCode: 'REPLACED', revokedBy: 'alice' }) }),
          {
            type: 'KeyApproved',
            data: {
              requestId: 'a2',
              agentId: 'alice',
              publicKey: newAliceKey.publicKey,
              fingerprint: newAliceKey.fingerprint,
              mode: 'ROTATION',
              approvedBy: 'alice',
              decision: { statement: command.proof.statement, signature: command.proof.signature, publicKey: aliceKey.publicKey },
            },
          },
        ]);
      });

      it('is refused when another approver has an ACTIVE key', () => {
        const command = approveKey(ALICE, aliceKey, a2, codeOf('alice', newAliceKey), { activeApprovers: 1 });
        keys(aliceReplacing()).when(command).thenRefused('FORBIDDEN', 'SELF_DECISION');
      });

      it('lets another approver approve it as a plain APPROVAL', () => {
        const [, approved] = keys(aliceReplacing()).when(approveKey(BOB, bobKey, a2, codeOf('alice', newAliceKey))).events();
        expect(approved).toMatchObject({ type: 'KeyApproved', data: { mode: 'APPROVAL', approvedBy: 'bob' } });
      });

      it('never covers rejecting their own request', () => {
        keys(aliceReplacing()).when(rejectKey(ALICE, aliceKey, a2)).thenRefused('FORBIDDEN', 'SELF_DECISION');
      });
    });

    describe('verification code (R5)', () => {
      it('records a wrong code as a counted attempt, with the signed decision', () => {
        const command = approveKey(ALICE, aliceKey, r1, WRONG_CODE);
        keys(carolPending()).when(command).thenEvents([
          {
            type: 'KeyApprovalAttemptFailed',
            data: {
              requestId: 'r1',
              agentId: 'carol',
              attemptedBy: 'alice',
              failure: 'VERIFICATION_CODE_MISMATCH',
              failedAttempts: 1,
              attemptsLeft: 4,
              nonce: command.proof.challenge.nonce,
              decision: { statement: command.proof.statement, signature: command.proof.signature, publicKey: aliceKey.publicKey },
            },
          },
        ]);
      });

      it('counts attempts of every approver and locks the request on the 5th', () => {
        const four = run(
          [approveKey(BOB, bobKey, r1, WRONG_CODE), approveKey(ALICE, aliceKey, r1, '123'), approveKey(BOB, bobKey, r1, WRONG_CODE)],
          failures(1),
        );
        expect(fold(keyDecider, four).requests.get('r1')).toMatchObject({ status: 'PENDING', failedAttempts: 4 });
        keys(four)
          .when(approveKey(ALICE, aliceKey, r1, WRONG_CODE))
          .thenEvents([
            expect.objectContaining({ type: 'KeyApprovalAttemptFailed', data: expect.objectContaining({ failedAttempts: 5, attemptsLeft: 0 }) }),
            { type: 'KeyRequestLocked', data: { requestId: 'r1', agentId: 'carol', failedAttempts: 5 } },
          ]);
      });

      it('says so in its outcome: a recorded refusal, and on the 5th the lock', () => {
        expect(keys(carolPending()).when(approveKey(ALICE, aliceKey, r1, WRONG_CODE)).refusal()).toMatchObject({
          kind: 'UNPROCESSABLE',
          code: 'VERIFICATION_CODE_MISMATCH',
          details: { failedAttempts: 1, attemptsLeft: 4 },
        });
        expect(keys(failures(4)).when(approveKey(ALICE, aliceKey, r1, WRONG_CODE)).refusal()).toMatchObject({
          kind: 'UNPROCESSABLE',
          code: 'REQUEST_LOCKED',
          details: { failedAttempts: 5, attemptsLeft: 0 },
        });
        expect(keys(carolPending()).when(approveKey(ALICE, aliceKey, r1, CODE)).refusal()).toBeUndefined();
      });

      it('refuses the right code once the request is LOCKED', () => {
        keys(failures(5)).when(approveKey(ALICE, aliceKey, r1, CODE)).thenRefused('CONFLICT', 'REQUEST_NOT_PENDING', { requestStatus: 'LOCKED' });
      });

      it('does not count an attempt whose decision is not validly signed', () => {
        keys(carolPending()).when(approveKey(ALICE, aliceKey, r1, WRONG_CODE, { signer: bobKey })).thenRefused('UNPROCESSABLE', 'INVALID_SIGNATURE');
      });

      it('refuses to replay the signed decision of a failed attempt', () => {
        const attempt = approveKey(ALICE, aliceKey, r1, WRONG_CODE);
        const events = run([attempt], carolPending());
        keys(events).when({ ...attempt, verificationCode: CODE }).thenRefused('UNPROCESSABLE', 'CHALLENGE_REPLAYED');
      });
    });

    describe('decision challenge (R6, R15)', () => {
      it.each([
        ['another purpose', { purpose: 'KEY_REQUEST' as const }, 'purpose'],
        ['another request', { requestId: 'r9' }, 'requestId'],
        ['another requester key', { requesterPublicKey: malloryKey.publicKey }, 'requesterPublicKey'],
        ['the opposite decision', { decision: 'REJECT' as const }, 'decision'],
        ['another approver', { agentId: 'bob' }, 'agentId'],
        ['another org', { orgId: 'globex' }, 'orgId'],
      ])('refuses a challenge issued for %s', (_, fields, field) => {
        keys(carolPending()).when(approveKey(ALICE, aliceKey, r1, CODE, { fields })).thenRefused('UNPROCESSABLE', 'CHALLENGE_MISMATCH', { field });
      });

      it('refuses an expired challenge', () => {
        const proof = decisionProof('alice', aliceKey, r1, 'APPROVE', { now: T0 });
        keys(carolPending()).when(approveKey(ALICE, aliceKey, r1, CODE, { proof, now: at(8 * MINUTE) })).thenRefused('UNPROCESSABLE', 'CHALLENGE_EXPIRED');
      });
    });
  });

  describe('RejectKey (R6, R7)', () => {
    it('rejects with a reason and the signed decision', () => {
      const command = rejectKey(BOB, bobKey, r1, { reason: 'Unknown device' });
      keys(carolPending()).when(command).thenEvents([
        {
          type: 'KeyRejected',
          data: {
            requestId: 'r1',
            agentId: 'carol',
            rejectedBy: 'bob',
            reason: 'Unknown device',
            decision: { statement: command.proof.statement, signature: command.proof.signature, publicKey: bobKey.publicKey },
          },
        },
      ]);
    });

    it('rejects without a reason', () => {
      const [rejected] = keys(carolPending()).when(rejectKey(BOB, bobKey, r1)).events() as KeyRejected[];
      expect(rejected.data).not.toHaveProperty('reason');
      expect(fold(keyDecider, [rejected], keys(carolPending()).state).requests.get('r1')?.status).toBe('REJECTED');
    });

    it('refuses a MEMBER, an approver without an ACTIVE key, and the requester', () => {
      keys(carolPending()).when(rejectKey(MALLORY, malloryKey, r1)).thenRefused('FORBIDDEN', 'NOT_AN_APPROVER');
      keys(carolPending()).when(rejectKey(DAN, bobKey, r1)).thenRefused('FORBIDDEN', 'APPROVER_HAS_NO_ACTIVE_KEY');
      const bobPending = run([requestKey(actor('bob', 'ADMIN', bobKey), carolNewKey, { requestId: 'b2' })]);
      keys(bobPending).when(rejectKey(BOB, bobKey, { requestId: 'b2', publicKey: carolNewKey.publicKey })).thenRefused('FORBIDDEN', 'SELF_DECISION');
    });

    it('refuses an APPROVE challenge used to reject, and a revoked key signing', () => {
      const approveProof = decisionProof('bob', bobKey, r1, 'APPROVE');
      keys(carolPending()).when(rejectKey(BOB, bobKey, r1, { proof: approveProof })).thenRefused('UNPROCESSABLE', 'CHALLENGE_MISMATCH', { field: 'decision' });
      const bobRotated = actor('bob', 'ADMIN', generateKeyPair(), 'bob-key-2');
      keys(carolPending()).when(rejectKey(bobRotated, bobKey, r1)).thenRefused('UNPROCESSABLE', 'INVALID_SIGNATURE');
    });
  });

  describe('RevokeKey (R9)', () => {
    it('revokes the ACTIVE key with the admin reason', () => {
      const events = keys(carolActive())
        .when({ type: 'RevokeKey', orgId: ORG, agentId: 'carol', agentIsMember: true, actor: BOB, reason: 'Laptop stolen', now: at(MINUTE) })
        .thenEvents([
          {
            type: 'KeyRevoked',
            data: {
              agentId: 'carol',
              requestId: 'r1',
              fingerprint: carolKey.fingerprint,
              reasonCode: 'REVOKED_BY_ADMIN',
              reason: 'Laptop stolen',
              revokedBy: 'bob',
            },
          },
        ]);
      expect(activeKeyOf(fold(keyDecider, events, keys(carolActive()).state))).toBeUndefined();
    });

    it('lets an approver without a key of their own revoke, and an admin revoke their own key', () => {
      expect(keys(carolActive()).when({ type: 'RevokeKey', orgId: ORG, agentId: 'carol', agentIsMember: true, actor: DAN, reason: 'Left', now: T0 }).events()).toHaveLength(1);
      const aliceFirst = run([requestKey(actor('alice', 'SUPER_ADMIN'), aliceKey, { requestId: 'alice-key', firstKeyAssigned: false })]);
      const [revoked] = keys(aliceFirst).when({ type: 'RevokeKey', orgId: ORG, agentId: 'alice', agentIsMember: true, actor: ALICE, reason: 'Compromised', now: T0 }).events();
      expect(revoked).toMatchObject({ type: 'KeyRevoked', data: { agentId: 'alice', revokedBy: 'alice' } });
    });

    it('refuses a MEMBER and an AUDITOR', () => {
      keys(carolActive()).when({ type: 'RevokeKey', orgId: ORG, agentId: 'carol', agentIsMember: true, actor: MALLORY, reason: 'x', now: T0 }).thenRefused('FORBIDDEN', 'NOT_AN_APPROVER');
      keys(carolActive()).when({ type: 'RevokeKey', orgId: ORG, agentId: 'carol', agentIsMember: true, actor: actor('audrey', 'AUDITOR'), reason: 'x', now: T0 }).thenRefused('FORBIDDEN', 'NOT_AN_APPROVER');
    });

    it('refuses a MEMBER and an AUDITOR before it looks the agent up, so that they learn nothing of who is in the org; an approver is told the agent is not there', () => {
      for (const caller of [MALLORY, actor('audrey', 'AUDITOR')]) {
        keys().when({ type: 'RevokeKey', orgId: ORG, agentId: 'ghost', agentIsMember: false, actor: caller, reason: 'x', now: T0 }).thenRefused('FORBIDDEN', 'NOT_AN_APPROVER');
      }
      keys().when({ type: 'RevokeKey', orgId: ORG, agentId: 'ghost', agentIsMember: false, actor: ALICE, reason: 'x', now: T0 }).thenRefused('NOT_FOUND', 'AGENT_NOT_FOUND');
    });

    it('refuses when there is no ACTIVE key', () => {
      keys(carolPending()).when({ type: 'RevokeKey', orgId: ORG, agentId: 'carol', agentIsMember: true, actor: ALICE, reason: 'x', now: T0 }).thenRefused('NOT_FOUND', 'NO_ACTIVE_KEY');
    });
  });

  describe('ReleaseAgentKeys (R9, R18)', () => {
    const release = (reason: KeyReleaseReason = 'AGENT_REMOVED'): KeyCommand => ({ type: 'ReleaseAgentKeys', actorId: 'alice', reason, now: at(HOUR) });

    it.each([
      ['AGENT_REMOVED', 'The agent was removed from the organization.'],
      ['ROLE_CHANGED_TO_AUDITOR', 'The agent became an AUDITOR, who holds no key (R18).'],
    ] as const)('cancels the PENDING request, then revokes the ACTIVE key (%s)', (reason, text) => {
      keys(carolReplacing()).when(release(reason)).thenEvents([
        { type: 'KeyRequestCancelled', data: { requestId: 'r2', agentId: 'carol', reason, cancelledBy: 'alice' } },
        {
          type: 'KeyRevoked',
          data: { agentId: 'carol', requestId: 'r1', fingerprint: carolKey.fingerprint, reasonCode: reason, reason: text, revokedBy: 'alice' },
        },
      ]);
    });

    it('releases only what there is', () => {
      expect(keys(carolActive()).when(release()).events().map((event) => event.type)).toEqual(['KeyRevoked']);
      expect(keys(carolPending()).when(release()).events().map((event) => event.type)).toEqual(['KeyRequestCancelled']);
      keys([]).when(release()).thenEvents([]);
    });

    it('leaves a key that can never be registered again by its owner', () => {
      const released = run([release('ROLE_CHANGED_TO_AUDITOR')], carolActive());
      keys(released).when(requestKey(CAROL, carolKey, { requestId: 'r3', now: at(2 * HOUR) })).thenRefused('CONFLICT', 'KEY_REVOKED');
    });
  });

  describe('keyReleaseFor: the directory changes that release keys (R9, R18)', () => {
    it('releases on removal and on a change to AUDITOR only', () => {
      expect(keyReleaseFor({ type: 'AgentRemoved', data: { agentId: 'carol', role: 'MEMBER' } })).toEqual({ agentId: 'carol', reason: 'AGENT_REMOVED' });
      expect(keyReleaseFor({ type: 'AgentRoleChanged', data: { agentId: 'carol', from: 'ADMIN', to: 'AUDITOR' } })).toEqual({
        agentId: 'carol',
        reason: 'ROLE_CHANGED_TO_AUDITOR',
      });
      for (const to of ['MEMBER', 'ADMIN', 'SUPER_ADMIN'] as const) {
        expect(keyReleaseFor({ type: 'AgentRoleChanged', data: { agentId: 'carol', from: 'AUDITOR', to } })).toBeUndefined();
      }
    });
  });

  describe('state', () => {
    it('forgets the nonces of challenges expired before a newer one was issued', () => {
      const first = requestKey(CAROL, carolKey, { requestId: 'r1' });
      const early = run([first]);
      expect(rememberedNonces(fold(keyDecider, early).usedNonces)).toEqual([first.proof.challenge.nonce]);
      const later = approveKey(ALICE, aliceKey, r1, CODE, { now: at(HOUR) });
      const state = fold(keyDecider, run([later], early));
      expect(rememberedNonces(state.usedNonces)).toEqual([later.proof.challenge.nonce]);
    });

    it('records the nonce of every proof written: request, failed attempt, rejection, approval', () => {
      const commands: KeyCommand[] = [
        requestKey(CAROL, carolKey, { requestId: 'r1' }),
        approveKey(ALICE, aliceKey, r1, WRONG_CODE),
        rejectKey(ALICE, aliceKey, r1),
        requestKey(CAROL, carolNewKey, { requestId: 'r2' }),
        approveKey(ALICE, aliceKey, r2, codeOf('carol', carolNewKey)),
      ];
      const nonces = commands.map((command) => ('proof' in command ? command.proof.challenge.nonce : ''));
      expect(rememberedNonces(fold(keyDecider, run(commands)).usedNonces).sort()).toEqual(nonces.sort());
    });

    it('keeps the nonces of challenges still alive', () => {
      const first = requestKey(CAROL, carolKey, { requestId: 'r1' });
      const soon = approveKey(ALICE, aliceKey, r1, WRONG_CODE, { now: at(MINUTE) });
      const state = fold(keyDecider, run([first, soon]));
      expect(rememberedNonces(state.usedNonces).sort()).toEqual([first.proof.challenge.nonce, soon.proof.challenge.nonce].sort());
    });

  });
});
