import { DEFAULT_ORG_POLICY, type OrgPolicy } from '../../src/domain/organization/org-policy';
import type { ChangeOrgPolicy, OrganizationCommand } from '../../src/domain/organization/organization.commands';
import { organizationDecider } from '../../src/domain/organization/organization.decider';
import type { OrganizationEvent } from '../../src/domain/organization/organization.events';
import { fold } from '../../src/domain/shared/decider';
import type { Role } from '../../src/domain/shared/roles';
import { asActiveKey, challengeFields, generateKeyPair, signedProof, type TestKeyPair } from '../support/ed25519-keys';
import { at, MINUTE, ORG, T0, type ProofOptions } from './key-fixtures';
import { given, history } from './given-when-then';

const agent = (agentId: string) => ({ agentId, email: `${agentId}@acme.test`, displayName: agentId.toUpperCase() });
const add = (agentId: string, role: Role): OrganizationCommand => ({ type: 'AddAgent', actorId: 'alice', agent: agent(agentId), role });
const create: OrganizationCommand = { type: 'CreateOrganization', orgId: ORG, name: 'Acme', policy: DEFAULT_ORG_POLICY, superAdmin: agent('alice') };
const org = (...commands: OrganizationCommand[]): OrganizationEvent[] => history(organizationDecider, [create, add('bob', 'ADMIN'), add('zoe', 'SUPER_ADMIN'), ...commands]);

const aliceKey = generateKeyPair();
const bank: OrgPolicy = { ...DEFAULT_ORG_POLICY, adminKeyApprovals: 2 };

/** An ORG_POLICY proof by `signer` for `agentId`, binding `policy` unless `fields` say otherwise. */
const policyProof = (agentId: string, signer: TestKeyPair, policy: OrgPolicy, options: ProofOptions = {}) =>
  signedProof(options.signer ?? signer, challengeFields({ purpose: 'ORG_POLICY', orgId: ORG, agentId, issuedAt: options.now ?? T0, ...policy, ...options.fields }));

const change = (policy: OrgPolicy, options: ProofOptions & { actorId?: string; key?: TestKeyPair | null } = {}): ChangeOrgPolicy => {
  const actorId = options.actorId ?? 'alice';
  const key = options.key === undefined ? aliceKey : options.key;
  return {
    type: 'ChangeOrgPolicy',
    actorId,
    ...(key && { actorKey: asActiveKey(key, `${actorId}-key`) }),
    policy,
    proof: policyProof(actorId, key ?? aliceKey, policy, options),
    now: options.now ?? T0,
  };
};

describe('org policy (R20): changes are signed SUPER_ADMIN decisions', () => {
  it('an org starts with the product defaults, also when created before R20 recorded only the first-key rule', () => {
    expect(fold(organizationDecider, org()).policy).toEqual(DEFAULT_ORG_POLICY);
    const legacy = fold(organizationDecider, [
      { type: 'OrganizationCreated', data: { orgId: ORG, name: 'Old', policy: { firstKeyRequiresAdmin: false }, superAdminId: 'alice' } },
    ]);
    expect(legacy.policy).toEqual({ ...DEFAULT_ORG_POLICY, firstKeyRequiresAdmin: false });
  });

  it('records the new policy, the previous one and the signed decision', () => {
    const command = change(bank);
    given(organizationDecider, org())
      .when(command)
      .thenEvents([
        {
          type: 'OrgPolicyChanged',
          data: {
            policy: bank,
            previous: DEFAULT_ORG_POLICY,
            changedBy: 'alice',
            decision: { statement: command.proof.statement, signature: command.proof.signature, publicKey: aliceKey.publicKey },
          },
        },
      ]);
    const after = fold(organizationDecider, history(organizationDecider, [command], org()));
    expect(after.policy).toEqual(bank);
  });

  it('writes nothing when the policy is already the org\'s', () => {
    given(organizationDecider, org()).when(change(DEFAULT_ORG_POLICY)).thenEvents([]);
  });

  it('refuses an ADMIN, a MEMBER and a stranger (not a member), and a SUPER_ADMIN without an ACTIVE key', () => {
    const events = org(add('carol', 'MEMBER'));
    const bobKey = generateKeyPair();
    decide(events).when(change(bank, { actorId: 'bob', key: bobKey })).thenRefused('FORBIDDEN', 'NOT_SUPER_ADMIN');
    decide(events).when(change(bank, { actorId: 'carol', key: bobKey })).thenRefused('FORBIDDEN', 'NOT_SUPER_ADMIN');
    decide(events).when(change(bank, { actorId: 'eve', key: bobKey })).thenRefused('FORBIDDEN', 'NOT_A_MEMBER');
    decide(events).when(change(bank, { actorId: 'zoe', key: null })).thenRefused('FORBIDDEN', 'NO_ACTIVE_KEY');
  });

  it('refuses a signature by another key than the ACTIVE one', () => {
    decide(org()).when(change(bank, { signer: generateKeyPair() })).thenRefused('UNPROCESSABLE', 'INVALID_SIGNATURE');
  });

  it('refuses a challenge binding another policy, purpose or caller', () => {
    decide(org()).when(change(bank, { fields: { adminKeyApprovals: 3 } })).thenRefused('UNPROCESSABLE', 'CHALLENGE_MISMATCH', { field: 'adminKeyApprovals' });
    decide(org()).when(change(bank, { fields: { agentId: 'zoe' } })).thenRefused('UNPROCESSABLE', 'CHALLENGE_MISMATCH', { field: 'agentId' });
    decide(org()).when(change(bank, { fields: { purpose: 'SENSITIVE_TASK' } })).thenRefused('UNPROCESSABLE', 'CHALLENGE_MISMATCH', { field: 'purpose' });
  });

  it('refuses an expired challenge and a replayed one', () => {
    decide(org()).when({ ...change(bank), now: at(10 * MINUTE) }).thenRefused('UNPROCESSABLE', 'CHALLENGE_EXPIRED');
    const tighten = change(bank);
    const back = change(DEFAULT_ORG_POLICY);
    const events = history(organizationDecider, [tighten, back], org());
    // The same signed change again would tighten the policy back: its nonce was used.
    decide(events).when(tighten).thenRefused('UNPROCESSABLE', 'CHALLENGE_REPLAYED');
  });

  it('counts policy versions (the ETag of GET .../policy): 1 at creation, one more each change', () => {
    expect(fold(organizationDecider, org()).policyVersion).toBe(1);
    expect(fold(organizationDecider, history(organizationDecider, [change(bank), change(DEFAULT_ORG_POLICY)], org())).policyVersion).toBe(3);
  });

  it('refuses a change based on a policy that changed since (If-Match), unless it is already the policy', () => {
    const events = history(organizationDecider, [change(bank)], org());
    const zoeKey = generateKeyPair();
    // Zoe read version 1 and changes another field: setting her whole policy would put adminKeyApprovals back to 1.
    const zoes = { ...DEFAULT_ORG_POLICY, recoveryDelayHours: 96 };
    const refusal = decide(events)
      .when({ ...change(zoes, { actorId: 'zoe', key: zoeKey }), basedOnVersion: 1 })
      .thenRefused('PRECONDITION_FAILED', 'POLICY_CHANGED');
    expect(refusal.details).toEqual({ policyVersion: 2 });
    decide(events).when({ ...change({ ...bank, recoveryDelayHours: 96 }, { actorId: 'zoe', key: zoeKey }), basedOnVersion: 2 }).thenEvents([expect.objectContaining({ type: 'OrgPolicyChanged' })]);
    // The same change signed again once it is in effect is answered as done, as RFC 9110 13.1.1 allows.
    decide(events).when({ ...change(bank), basedOnVersion: 1 }).thenEvents([]);
  });

  it('refuses a policy outside its bounds, naming the field', () => {
    const cases: [Partial<OrgPolicy>, string][] = [
      [{ memberKeyApprovals: 0 }, 'memberKeyApprovals'],
      [{ adminKeyApprovals: 11 }, 'adminKeyApprovals'],
      [{ adminKeyApprovals: 1.5 }, 'adminKeyApprovals'],
      [{ recoveryDelayHours: 1 }, 'recoveryDelayHours'],
      [{ pendingRequestExpiryHours: 0 }, 'pendingRequestExpiryHours'],
      [{ pendingRequestExpiryHours: 24, reminderAfterHours: 24 }, 'reminderAfterHours'],
    ];
    for (const [fields, field] of cases) {
      const refusal = decide(org()).when(change({ ...DEFAULT_ORG_POLICY, ...fields })).thenRefused('UNPROCESSABLE', 'INVALID_POLICY');
      expect(refusal.details.problems).toEqual([expect.objectContaining({ field })]);
    }
  });
});

function decide(events: OrganizationEvent[]) {
  return given(organizationDecider, events);
}
