import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_ORG_POLICY, type OrgPolicy } from '../../src/domain/organization/org-policy';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import type { RecordedEvent } from '../../src/event-store/event-store.port';
import { EmailJobPlanner } from '../../src/notifications/email-job-planner';
import type { EmailJob } from '../../src/notifications/email-job';
import { OrgLog } from './support/org-log';

describe('EmailJobPlanner', () => {
  let dir: string;
  let store: SqliteEventStore;
  let planner: EmailJobPlanner;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ztkeys-planner-'));
    store = new SqliteEventStore({ path: join(dir, 'events.sqlite') });
    planner = new EmailJobPlanner(store);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const jobsOf = async (events: RecordedEvent[]): Promise<EmailJob[]> =>
    (await Promise.all(events.map((event) => planner.jobsFor(event)))).flat();
  const summary = (job: EmailJob): string => `${job.kind} -> ${job.to.agentId}`;
  /** The next event's position 1,000 past the last one's: the log's own sequence moved on, by another connection to its file. */
  const skipPositions = (): void => {
    const db = new Database(join(dir, 'events.sqlite'));
    db.prepare('UPDATE sqlite_sequence SET seq = seq + 1000').run();
    db.close();
  };

  it('mails the requester on approval, rejection and lock, and every other approver with an ACTIVE key on a request', async () => {
    const log = new OrgLog(store, 'acme');
    const [sam, ada, max, aud, ed] = ['Sam', 'Ada', 'Max', 'Aud', 'Ed'].map((name) => log.agent(name));
    await log.create('Acme Support', sam);
    const samKey = await log.firstKey(sam); // KEY_APPROVED (FIRST_KEY) to Sam; no approver had a key yet
    await log.add(ada, 'ADMIN');
    const adaRequest = await log.request(ada); // to Sam only: Ada never approves her own request
    await log.approve(ada, adaRequest, 'APPROVAL', sam); // to Ada
    await log.add(max, 'MEMBER');
    await log.add(aud, 'AUDITOR');
    await log.add(ed, 'ADMIN'); // an approver without a key gets nothing
    const first = await log.request(max); // to Sam and Ada
    await log.reject(max, first, ada, 'not on the support rota'); // to Max
    const second = await log.request(max); // to Sam and Ada
    await log.lock(max, second); // to Max
    await log.changeRole(ada, 'ADMIN', 'MEMBER', sam); // to Ada, and to Sam: an approver holding a key was demoted
    await log.request(max); // to Sam only: Ada is no longer an approver
    await log.revoke(sam, samKey, sam);
    await log.request(max); // nobody: the only approver's key is revoked
    await log.request(ed); // nobody

    const jobs = await jobsOf(await store.readAll(undefined, 1000));
    expect(jobs.map(summary)).toEqual([
      'KEY_APPROVED -> sam',
      'KEY_REQUEST_WAITING -> sam',
      'KEY_APPROVED -> ada',
      'KEY_REQUEST_WAITING -> sam',
      'KEY_REQUEST_WAITING -> ada',
      'KEY_REJECTED -> max',
      'KEY_REQUEST_WAITING -> sam',
      'KEY_REQUEST_WAITING -> ada',
      'KEY_REQUEST_LOCKED -> max',
      'DEMOTED_TO_MEMBER -> ada',
      'APPROVER_DEMOTED -> sam',
      'KEY_REQUEST_WAITING -> sam',
    ]);
    expect(new Set(jobs.map((job) => job.id)).size).toBe(jobs.length);
    expect(jobs[0]).toMatchObject({ kind: 'KEY_APPROVED', mode: 'FIRST_KEY', org: { orgId: 'acme', name: 'Acme Support' } });
    expect(jobs[0]).not.toHaveProperty('approvedBy');
    expect(jobs[1]).toMatchObject({
      request: { requestId: adaRequest.requestId, fingerprint: adaRequest.fingerprint, requester: ada },
      to: sam,
    });
    expect(jobs[2]).toMatchObject({ mode: 'APPROVAL', approvedBy: { agentId: 'sam', displayName: 'Sam' } });
    expect(jobs[5]).toMatchObject({
      rejectedBy: { agentId: 'ada', displayName: 'Ada' },
      reason: 'not on the support rota',
      request: { fingerprint: first.fingerprint },
    });
    expect(jobs[8]).toMatchObject({ failedAttempts: 5, request: { fingerprint: second.fingerprint } });
  });

  it('plans an event the same way whatever the log says later, so a replay yields the same job ids', async () => {
    const log = new OrgLog(store, 'globex');
    const { sam, ada, max, request: replacement } = await log.pendingMemberRequest('Globex');
    const events = await store.readAll(undefined, 1000);
    const before = await jobsOf(events);

    await log.remove(ada, 'ADMIN');
    await log.changeRole(sam, 'SUPER_ADMIN', 'MEMBER', sam);
    await log.reject(max, replacement, sam);

    expect(await jobsOf(events)).toEqual(before);
    expect(before.filter((job) => job.kind === 'KEY_REQUEST_WAITING').map((job) => job.to.agentId)).toEqual(['sam', 'sam', 'ada']);
  });

  it("mails a key's holder when someone else revokes it, and, when the holder was an approver, every approver still holding an ACTIVE key, with how many do", async () => {
    const log = new OrgLog(store, 'umbrella');
    const [sam, ada, ed, zed, max] = ['Sam', 'Ada', 'Ed', 'Zed', 'Max'].map((name) => log.agent(name));
    await log.create('Umbrella', sam);
    const samKey = await log.firstKey(sam);
    const keys = await log.addWithKeys(sam, [[ada, 'ADMIN'], [ed, 'ADMIN'], [zed, 'ADMIN'], [max, 'MEMBER']]);
    const key = (agent: typeof sam) => keys.get(agent.agentId)!;
    const replacement = await log.request(max, key(max).fingerprint);
    const before = await store.readAll(undefined, 1000);

    await log.revoke(max, key(max), max, 'REPLACED', 'Replaced by a new key.'); // nobody: the holder's own change (R8), mailed as KEY_APPROVED
    await log.approve(max, replacement, 'APPROVAL', sam);
    await log.revoke(max, replacement, ada); // to Max: not an approver
    await log.revoke(ed, key(ed), ada); // to Ed; to Sam, Ada and Zed (3 left)
    await log.remove(ada, 'ADMIN');
    skipPositions(); // As KurrentDB's, which are offsets in its log: the planner never steps from a position to the one before.
    await log.revoke(ada, key(ada), sam, 'AGENT_REMOVED', 'The agent was removed from the organization.'); // to Ada, removed; to Sam and Zed (2 left)
    await log.changeRole(zed, 'ADMIN', 'AUDITOR', sam); // nothing of its own: the revocation it releases is mailed
    await log.revoke(zed, key(zed), sam, 'ROLE_CHANGED_TO_AUDITOR', 'The agent became an AUDITOR.'); // to Zed; to Sam (1 left)
    await log.revoke(sam, samKey, sam); // nobody: revoked by its holder

    const all = await store.readAll(undefined, 1000);
    const jobs = await jobsOf(all.slice(before.length));
    expect(jobs.map(summary)).toEqual([
      'KEY_APPROVED -> max',
      'KEY_REVOKED -> max',
      'KEY_REVOKED -> ed',
      'APPROVER_KEY_REVOKED -> sam',
      'APPROVER_KEY_REVOKED -> ada',
      'APPROVER_KEY_REVOKED -> zed',
      'KEY_REVOKED -> ada',
      'APPROVER_KEY_REVOKED -> sam',
      'APPROVER_KEY_REVOKED -> zed',
      'KEY_REVOKED -> zed',
      'APPROVER_KEY_REVOKED -> sam',
    ]);
    expect(new Set(jobs.map((job) => job.id)).size).toBe(jobs.length);
    expect(jobs.every((job) => !job.id.includes(':'))).toBe(true);
    expect(jobs[1]).toMatchObject({
      revocation: { holder: max, fingerprint: replacement.fingerprint, reasonCode: 'REVOKED_BY_ADMIN', reason: 'laptop lost', revokedBy: { agentId: 'ada', displayName: 'Ada' }, holderRole: 'MEMBER' },
    });
    expect(jobs[3]).toMatchObject({ revocation: { holder: ed, holderRole: 'ADMIN', approversWithActiveKey: 3 } });
    // Removed: the address and name the directory had before the removal.
    expect(jobs[6]).toMatchObject({ to: ada, revocation: { holder: ada, reasonCode: 'AGENT_REMOVED', holderRole: 'ADMIN', revokedBy: { agentId: 'sam' } } });
    expect(jobs[7]).toMatchObject({ revocation: { approversWithActiveKey: 2 } });
    expect(jobs[9]).toMatchObject({ to: zed, revocation: { reasonCode: 'ROLE_CHANGED_TO_AUDITOR', holderRole: 'ADMIN' } });
    expect(jobs[10]).toMatchObject({ revocation: { approversWithActiveKey: 1 } });
    // Planned again after more happened: the same jobs.
    await log.add(ada, 'ADMIN');
    expect(await jobsOf(all.slice(before.length))).toEqual(jobs);
  });

  it('mails an approver made a MEMBER by someone else while holding an ACTIVE key, and every approver still holding one, with how many do', async () => {
    const log = new OrgLog(store, 'hooli');
    const [sam, sue, ada, ed, zed, kim] = ['Sam', 'Sue', 'Ada', 'Ed', 'Zed', 'Kim'].map((name) => log.agent(name));
    await log.create('Hooli', sam);
    await log.firstKey(sam);
    const keys = await log.addWithKeys(sam, [[sue, 'SUPER_ADMIN'], [ada, 'ADMIN'], [ed, 'ADMIN'], [kim, 'MEMBER']]);
    await log.add(zed, 'ADMIN');
    const before = await store.readAll(undefined, 1000);

    const demotion = await log.changeRole(ada, 'ADMIN', 'MEMBER', sam); // to Ada; to Sam, Sue and Ed (3 left)
    await log.changeRole(zed, 'ADMIN', 'MEMBER', sam); // nobody: Zed held no key, the cap is the same
    await log.changeRole(sue, 'SUPER_ADMIN', 'ADMIN', sam); // nobody: Sue still approves
    skipPositions(); // As KurrentDB's, which are offsets in its log.
    await log.changeRole(ed, 'ADMIN', 'MEMBER', sam); // to Ed; to Sam and Sue (2 left)
    await log.changeRole(kim, 'MEMBER', 'ADMIN', sam); // nobody: a promotion
    await log.changeRole(sue, 'ADMIN', 'SUPER_ADMIN', sam);
    await log.changeRole(sam, 'SUPER_ADMIN', 'MEMBER', sam); // nobody: his own change
    await log.changeRole(kim, 'ADMIN', 'AUDITOR', sue); // nothing of its own: the revocation it releases is mailed
    await log.revoke(kim, keys.get(kim.agentId)!, sue, 'ROLE_CHANGED_TO_AUDITOR', 'The agent became an AUDITOR.'); // to Kim; to Sue (1 left)

    const all = await store.readAll(undefined, 1000);
    const jobs = await jobsOf(all.slice(before.length));
    expect(jobs.map(summary)).toEqual([
      'DEMOTED_TO_MEMBER -> ada',
      'APPROVER_DEMOTED -> sam',
      'APPROVER_DEMOTED -> sue',
      'APPROVER_DEMOTED -> ed',
      'DEMOTED_TO_MEMBER -> ed',
      'APPROVER_DEMOTED -> sam',
      'APPROVER_DEMOTED -> sue',
      'KEY_REVOKED -> kim',
      'APPROVER_KEY_REVOKED -> sue',
    ]);
    expect(jobs[0]).toMatchObject({
      id: `${demotion}~ada`,
      to: ada,
      org: { orgId: 'hooli', name: 'Hooli' },
      demotion: { holder: ada, holderRole: 'ADMIN', fingerprint: keys.get('ada')!.fingerprint, demotedBy: { agentId: 'sam', displayName: 'Sam' }, approversWithActiveKey: 3 },
    });
    expect(jobs[1]).toMatchObject({ id: `${demotion}~sam`, to: sam, demotion: { holder: ada, approversWithActiveKey: 3 } });
    expect(jobs[5]).toMatchObject({ demotion: { holder: ed, approversWithActiveKey: 2 } });
    expect(new Set(jobs.map((job) => job.id)).size).toBe(jobs.length);
    // Planned again after more happened: the same jobs.
    await log.changeRole(ada, 'MEMBER', 'ADMIN', sue);
    await log.remove(ed, 'MEMBER');
    expect(await jobsOf(all.slice(before.length))).toEqual(jobs);
  });

  it('mails a policy change that lowers an approval threshold or shortens the recovery delay to every other approver holding an ACTIVE key, and the signer a copy; one that only tightens, or changes nothing that guards, to nobody', async () => {
    const log = new OrgLog(store, 'wonka');
    const [sam, sue, ada, ed, max] = ['Sam', 'Sue', 'Ada', 'Ed', 'Max'].map((name) => log.agent(name));
    await log.create('Wonka', sam);
    await log.firstKey(sam);
    const keys = await log.addWithKeys(sam, [[sue, 'SUPER_ADMIN'], [ada, 'ADMIN'], [max, 'MEMBER']]);
    await log.add(ed, 'ADMIN'); // an approver without a key: told nothing
    const before = await store.readAll(undefined, 1000);

    const bank: OrgPolicy = { ...DEFAULT_ORG_POLICY, adminKeyApprovals: 2, memberKeyApprovals: 2 };
    await log.changePolicy(DEFAULT_ORG_POLICY, bank, sam); // nobody: tightens
    const lowered = { ...bank, adminKeyApprovals: 1, reminderAfterHours: 24 };
    const lowering = await log.changePolicy(bank, lowered, sam); // to Sue and Ada; Sam's copy
    await log.changePolicy(lowered, bank, sam); // nobody: tightens back
    const shorter = { ...bank, recoveryDelayHours: 24 };
    await log.changePolicy(bank, shorter, sue); // to Sam and Ada; Sue's copy
    const longer = { ...shorter, recoveryDelayHours: 720, pendingRequestExpiryHours: 2160, reminderAfterHours: 720 - 1 };
    await log.changePolicy(shorter, longer, sue); // nobody: the expiry and the reminder guard nothing
    const noFirstKeyRule = { ...longer, firstKeyRequiresAdmin: false };
    await log.changePolicy(longer, noFirstKeyRule, sam); // nobody: the org's first key exists
    await log.revoke(ada, keys.get('ada')!, sam); // to Ada; to Sam and Sue
    skipPositions(); // As KurrentDB's, which are offsets in its log.
    await log.changePolicy(noFirstKeyRule, { ...noFirstKeyRule, memberKeyApprovals: 1 }, sam); // to Sue only: Ada holds no key now; Sam's copy

    const all = await store.readAll(undefined, 1000);
    const jobs = await jobsOf(all.slice(before.length));
    expect(jobs.map(summary)).toEqual([
      'POLICY_WEAKENED -> sue',
      'POLICY_WEAKENED -> ada',
      'POLICY_WEAKENED_BY_YOU -> sam',
      'POLICY_WEAKENED -> sam',
      'POLICY_WEAKENED -> ada',
      'POLICY_WEAKENED_BY_YOU -> sue',
      'KEY_REVOKED -> ada',
      'APPROVER_KEY_REVOKED -> sam',
      'APPROVER_KEY_REVOKED -> sue',
      'POLICY_WEAKENED -> sue',
      'POLICY_WEAKENED_BY_YOU -> sam',
    ]);
    expect(jobs[0]).toMatchObject({
      id: `${lowering}~sue`,
      to: sue,
      org: { orgId: 'wonka', name: 'Wonka' },
      policyChange: {
        changedBy: { agentId: 'sam', displayName: 'Sam' },
        changes: [
          { field: 'adminKeyApprovals', from: 2, to: 1, weakens: true },
          { field: 'reminderAfterHours', from: 48, to: 24, weakens: false },
        ],
      },
    });
    expect(jobs[2]).toMatchObject({ id: `${lowering}~sam`, to: sam });
    expect(jobs[3]).toMatchObject({ policyChange: { changedBy: { agentId: 'sue' }, changes: [{ field: 'recoveryDelayHours', from: 72, to: 24, weakens: true }] } });
    expect(jobs[9]).toMatchObject({ policyChange: { changes: [{ field: 'memberKeyApprovals', from: 2, to: 1, weakens: true }] } });
    expect(new Set(jobs.map((job) => job.id)).size).toBe(jobs.length);
    // Planned again after more happened: the same jobs.
    await log.approve(ada, await log.request(ada), 'APPROVAL', sam);
    await log.changeRole(sue, 'SUPER_ADMIN', 'MEMBER', sam);
    expect(await jobsOf(all.slice(before.length))).toEqual(jobs);
  });

  it('names the key a request would replace (R8)', async () => {
    const log = new OrgLog(store, 'initech');
    const [sam, ada] = ['Sam', 'Ada'].map((name) => log.agent(name));
    await log.create('Initech', sam);
    await log.firstKey(sam);
    await log.add(ada, 'ADMIN');
    const old = await log.request(ada);
    await log.approve(ada, old, 'APPROVAL', sam);
    const change = await log.request(ada, old.fingerprint);
    await log.approve(ada, change, 'APPROVAL', sam);

    const jobs = await jobsOf(await store.readAll(undefined, 1000));
    const [waiting, approved] = jobs.slice(-2);
    expect(waiting).toMatchObject({ kind: 'KEY_REQUEST_WAITING', request: { replacesFingerprint: old.fingerprint } });
    expect(approved).toMatchObject({ kind: 'KEY_APPROVED', request: { fingerprint: change.fingerprint, replacesFingerprint: old.fingerprint } });
  });
});
