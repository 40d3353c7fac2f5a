import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
    await log.changeRole(ada, 'ADMIN', 'MEMBER');
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
    await log.changeRole(sam, 'SUPER_ADMIN', 'MEMBER');
    await log.reject(max, replacement, sam);

    expect(await jobsOf(events)).toEqual(before);
    expect(before.filter((job) => job.kind === 'KEY_REQUEST_WAITING').map((job) => job.to.agentId)).toEqual(['sam', 'sam', 'ada']);
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
