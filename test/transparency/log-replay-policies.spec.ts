import { DEFAULT_ORG_POLICY, type OrgPolicy } from '../../src/domain/organization/org-policy';
import type { OrganizationCommand } from '../../src/domain/organization/organization.commands';
import { organizationDecider } from '../../src/domain/organization/organization.decider';
import type { OrganizationEvent } from '../../src/domain/organization/organization.events';
import type { KeyCommand } from '../../src/domain/signature-key/key.commands';
import { keyDecider } from '../../src/domain/signature-key/key.decider';
import type { KeyEvent } from '../../src/domain/signature-key/key.events';
import { OrgReplay } from '../../src/transparency/log-replay';
import { LogViolation } from '../../src/transparency/replay/log-violation';
import { history } from '../domain/given-when-then';
import { MINUTE, ORG, actor, approveKey, at, codeOf, requestKey } from '../domain/key-fixtures';
import { asActiveKey, challengeFields, generateKeyPair, signedProof } from '../support/ed25519-keys';

/** An event of the log as the replay reads it: which stream, who did it and when. */
type Logged = { stream: 'org'; event: OrganizationEvent; actor: string } | { stream: string; event: KeyEvent; actor: string };

const aliceKey = generateKeyPair();
const bobKey = generateKeyPair();
const danKey = generateKeyPair();
const carolKey = generateKeyPair();
const ALICE = actor('alice', 'SUPER_ADMIN', aliceKey, 'alice-key');
const APPROVERS = { alice: aliceKey, bob: bobKey, dan: danKey };
const TWO = { ...DEFAULT_ORG_POLICY, memberKeyApprovals: 2 };

const agent = (agentId: string) => ({ agentId, email: `${agentId}@acme.test`, displayName: agentId });
const orgEvents = (commands: OrganizationCommand[], given: OrganizationEvent[] = []) => history(organizationDecider, commands, given).slice(given.length);
const keyEvents = (commands: KeyCommand[], given: KeyEvent[] = []) => history(keyDecider, commands, given).slice(given.length);

const policyChange = (policy: OrgPolicy, given: OrganizationEvent[], by = 'alice', key = aliceKey, bound: OrgPolicy = policy) =>
  orgEvents([{ type: 'ChangeOrgPolicy', actorId: by, actorKey: asActiveKey(key, `${by}-key`), policy, now: at(MINUTE), proof: signedProof(key, challengeFields({ purpose: 'ORG_POLICY', orgId: ORG, agentId: by, issuedAt: at(MINUTE), ...bound })) }], given);

/** alice (SUPER_ADMIN), bob and dan (ADMINs) hold keys; the policy asks 2 approvals for a MEMBER; carol's key gets bob's, then dan's. */
function scenario(): Logged[] {
  const directory = orgEvents([
    { type: 'CreateOrganization', orgId: ORG, name: 'Acme', policy: DEFAULT_ORG_POLICY, superAdmin: agent('alice') },
    { type: 'AddAgent', actorId: 'alice', agent: agent('bob'), role: 'ADMIN' },
    { type: 'AddAgent', actorId: 'alice', agent: agent('dan'), role: 'ADMIN' },
    { type: 'AddAgent', actorId: 'alice', agent: agent('carol'), role: 'MEMBER' },
  ]);
  const alice = keyEvents([requestKey(actor('alice', 'SUPER_ADMIN'), aliceKey, { requestId: 'alice-key', firstKeyAssigned: false })]);
  const admin = (agentId: string, key: typeof bobKey) => {
    const requested = keyEvents([requestKey(actor(agentId, 'ADMIN'), key, { requestId: `${agentId}-key` })]);
    const ref = { requestId: `${agentId}-key`, publicKey: key.publicKey };
    return [...requested, ...keyEvents([approveKey(ALICE, aliceKey, ref, codeOf(agentId, key), { requesterRole: 'ADMIN', approvers: APPROVERS })], requested)];
  };
  const changed = policyChange(TWO, directory);
  const carolRequested = keyEvents([requestKey(actor('carol', 'MEMBER'), carolKey, { requestId: 'r1', now: at(2 * MINUTE) })]);
  const r1 = { requestId: 'r1', publicKey: carolKey.publicKey };
  const options = { policy: TWO, approvers: APPROVERS, activeApprovers: 3, now: at(3 * MINUTE) };
  const bobs = keyEvents([approveKey(actor('bob', 'ADMIN', bobKey), bobKey, r1, codeOf('carol', carolKey), options)], carolRequested);
  const dans = keyEvents([approveKey(actor('dan', 'ADMIN', danKey), danKey, r1, codeOf('carol', carolKey), options)], [...carolRequested, ...bobs]);
  return [
    // The org and its SUPER_ADMIN are created by the operator, together.
    ...directory.map((event, index) => ({ stream: 'org' as const, event, actor: index < 2 ? 'operator' : 'alice' })),
    ...alice.map((event) => ({ stream: 'alice', event, actor: 'alice' })),
    ...admin('bob', bobKey).map((event) => ({ stream: 'bob', event, actor: event.type === 'KeyRequested' ? 'bob' : 'alice' })),
    ...admin('dan', danKey).map((event) => ({ stream: 'dan', event, actor: event.type === 'KeyRequested' ? 'dan' : 'alice' })),
    ...changed.map((event) => ({ stream: 'org' as const, event, actor: 'alice' })),
    ...carolRequested.map((event) => ({ stream: 'carol', event, actor: 'carol' })),
    ...bobs.map((event) => ({ stream: 'carol', event, actor: 'bob' })),
    ...dans.map((event) => ({ stream: 'carol', event, actor: 'dan' })),
  ];
}

function replay(log: Logged[]): OrgReplay {
  const org = new OrgReplay(ORG);
  for (const { stream, event, actor: by } of log) {
    const replayed = { ...event, actor: by, occurredAt: at(4 * MINUTE) };
    if (stream === 'org') org.organization(replayed as OrganizationEvent & { actor: string; occurredAt: string });
    else org.key(stream, replayed as KeyEvent & { actor: string; occurredAt: string });
  }
  return org;
}

describe('the offline replay checks lifecycle policies (R20)', () => {
  it('accepts a signed policy change and an M-of-N approval', () => {
    const log = scenario();
    expect(log.map(({ event }) => event.type)).toEqual(expect.arrayContaining(['OrgPolicyChanged', 'KeyApprovalRecorded']));
    const carol = replay(log).activeKeys().find((key) => key.agentId === 'carol');
    expect(carol?.chain.map((link) => `${link.agentId}:${link.mode}`)).toEqual(['carol:APPROVAL', 'dan:APPROVAL', 'alice:FIRST_KEY']);
  });

  it('refuses a key activated below the threshold: a partial approval removed', () => {
    const log = scenario().filter(({ event }) => event.type !== 'KeyApprovalRecorded');
    expect(() => replay(log)).toThrow(new LogViolation('key request r1 was approved with 1 approval(s) that count, below the org\'s threshold of 2'));
  });

  it('refuses a key activated with an approval whose key was revoked before it', () => {
    const log = scenario();
    // bob's key is revoked between his approval and dan's, which still counted it.
    const revoked = keyEvents([{ type: 'RevokeKey', orgId: ORG, actor: ALICE, agentId: 'bob', agentIsMember: true, reason: 'Key stolen', now: at(3 * MINUTE) }], log.filter(({ stream }) => stream === 'bob').map(({ event }) => event as KeyEvent));
    const dans = log.findIndex(({ stream, actor: by }) => stream === 'carol' && by === 'dan');
    const forged = [...log.slice(0, dans), ...revoked.map((event) => ({ stream: 'bob', event, actor: 'alice' })), ...log.slice(dans)];
    expect(() => replay(forged)).toThrow(new LogViolation('key request r1 was approved with 1 approval(s) that count, below the org\'s threshold of 2'));
  });

  it('refuses a partial approval recorded with another count than the replayed one', () => {
    const log = scenario().map((entry) =>
      entry.event.type === 'KeyApprovalRecorded' ? { ...entry, event: { ...entry.event, data: { ...entry.event.data, required: 3 } } } : entry,
    );
    expect(() => replay(log)).toThrow(/recorded as 1 of 3, not 1 of 2/);
  });

  it('refuses a policy change by an ADMIN, or whose statement binds another policy', () => {
    const base = scenario();
    const directory = base.filter(({ stream, event }) => stream === 'org' && event.type !== 'OrgPolicyChanged').map(({ event }) => event as OrganizationEvent);
    const swap = (changed: OrganizationEvent[], by: string) =>
      base.flatMap((entry) => (entry.event.type === 'OrgPolicyChanged' ? changed.map((event) => ({ stream: 'org' as const, event, actor: by })) : [entry]));
    // The decider refuses an ADMIN, so the forged event is the alice one with bob named.
    const byBob = policyChange(TWO, directory).map((event) => (event.type === 'OrgPolicyChanged' ? { ...event, data: { ...event.data, changedBy: 'bob' } } : event));
    expect(() => replay(swap(byBob, 'bob'))).toThrow(/"bob" changed the org's policy as ADMIN, not as a SUPER_ADMIN/);
    const other = policyChange(TWO, directory).map((event) => (event.type === 'OrgPolicyChanged' ? { ...event, data: { ...event.data, policy: { ...TWO, adminKeyApprovals: 3 } } } : event));
    expect(() => replay(swap(other, 'alice'))).toThrow(/OrgPolicyChanged: The challenge was issued with adminKeyApprovals 1/);
  });
});
