import { randomUUID } from 'node:crypto';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { Directory } from '../../src/application/directory';
import { EventWriter } from '../../src/application/event-writer';
import { StreamStates } from '../../src/application/stream-states';
import { IssueChallengeQuery } from '../../src/application/use-cases/issue-challenge';
import { RequestKeyCommand, type RequestedKey } from '../../src/application/use-cases/request-key';
import { RevokeKeyCommand, RevokeKeyHandler } from '../../src/application/use-cases/revoke-key';
import { PendingApprovalsQuery } from '../../src/application/queries/pending-approvals';
import { GetKeyRequestQuery } from '../../src/application/use-cases/get-key-request';
import { DEFAULT_ORG_POLICY } from '../../src/domain/organization/org-policy';
import { POLICY_ACTOR } from '../../src/domain/shared/actor';
import { orgStream } from '../../src/domain/streams';
import { InProcessLease } from '../../src/leases/in-process-lease';
import type { RecordedEvent } from '../../src/event-store/event-store.port';
import { loggedEvents } from './event-log';
import { EmailJobPlanner } from '../../src/notifications/email-job-planner';
import { deadlineEnforcers } from '../../src/runtime/build-runtime';
import { DeadlineScheduler } from '../../src/runtime/deadline-scheduler';
import { expectAccepted } from './expectations';
import { call, type TestAgent } from '../support/api-client';
import { generateKeyPair } from '../support/ed25519-keys';
import { serverForSuite } from '../support/server-for-suite';
import { TamperedOrgs } from '../../src/application/tampered-orgs';

const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;

/**
 * R20 over the real application: requests expire after the policy's 7 days and approvers are
 * reminded after 48 hours, by schedulers whose clock the test sets. The server's own scheduler
 * runs too, on the real clock, and finds nothing due.
 */
describe('request deadlines (R20): reminders and expiry by the lease-holding scheduler', () => {
  const suite = serverForSuite();

  /** A scheduler as another instance would run it: its own stream-state cache, the given clock. */
  const scheduler = (clock: () => Date, lease = new InProcessLease(), intervalMs = 20) =>
    new DeadlineScheduler(suite.server.readModels, deadlineEnforcers(suite.server.eventStore, suite.server.app.get(TamperedOrgs)), lease, {
      intervalMs,
      clock,
      onError: (error) => errors.push(error),
    });
  /** What schedulers reported: every test ends with none. */
  let errors: unknown[] = [];
  beforeEach(() => (errors = []));
  afterEach(() => expect(errors).toEqual([]));

  const eventsOf = async (orgId: string, type: string): Promise<RecordedEvent[]> => (await loggedEvents(suite.server, orgId)).filter((event) => event.type === type);

  /** Resolves once the pending-keys read model has applied the head of the log. */
  async function readModelsCaughtUp(): Promise<void> {
    const head = (await suite.server.eventStore.headPosition())!;
    while (((await suite.server.readModels.checkpoint('pending-keys')) ?? -1n) < head) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  async function orgWithPendingRequests(count: number) {
    const admin = await suite.journey.createOrg('alice');
    await suite.journey.activeKey(admin, admin);
    const bob = await suite.journey.addAgent(admin, 'bob', 'ADMIN');
    await suite.journey.activeKey(bob, admin);
    const requesters: TestAgent[] = [];
    const requests: Array<{ requestId: string }> = [];
    for (let i = 0; i < count; i++) {
      const agent = await suite.journey.addAgent(admin, `agent-${i}`);
      requesters.push(agent);
      requests.push((await suite.journey.requestKey(agent)).body);
    }
    await readModelsCaughtUp();
    return { admin, requesters, requests, requestedAt: Date.now() };
  }

  it('does nothing before a deadline, reminds the approvers once after 48 h, and expires the request after 7 days; the requester may then ask again', async () => {
    const { admin, requesters, requests, requestedAt } = await orgWithPendingRequests(1);
    const requestId = requests[0].requestId;
    const at = (ms: number) => () => new Date(requestedAt + ms);

    expect(await scheduler(at(47 * HOUR)).pass()).toBe(0);
    expect(await scheduler(at(49 * HOUR)).pass()).toBe(1);
    expect(await scheduler(at(50 * HOUR)).pass()).toBe(0);
    const reminders = await eventsOf(admin.orgId, 'KeyRequestReminderSent');
    expect(reminders.map((event) => [event.data.requestId, event.metadata.actor])).toEqual([[requestId, POLICY_ACTOR]]);
    expect(await scheduler(at(7 * DAY - HOUR)).pass()).toBe(0);
    expect(await scheduler(at(7 * DAY + 10 * 60_000)).pass()).toBe(1);
    const [expired] = await eventsOf(admin.orgId, 'KeyRequestExpired');
    expect(expired.data).toEqual({ requestId, agentId: 'agent-0', expiryHours: 168 });

    const planner = new EmailJobPlanner(suite.server.eventStore);
    const reminded = await planner.jobsFor(reminders[0]);
    expect(reminded.map((job) => [job.kind, job.to.agentId]).sort()).toEqual([
      ['KEY_REQUEST_REMINDER', 'alice'],
      ['KEY_REQUEST_REMINDER', 'bob'],
    ]);
    expect((await planner.jobsFor(expired)).map((job) => [job.kind, job.to.agentId])).toEqual([['KEY_REQUEST_EXPIRED', 'agent-0']]);

    const requester = requesters[0];
    const read = await call(suite.server, 'GET', `/v1/orgs/${admin.orgId}/key-requests/${requestId}`, requester.token);
    expect(read.body.status).toBe('EXPIRED');
    const status = await call(suite.server, 'GET', `/v1/orgs/${admin.orgId}/zero-trust-status`, admin.token, undefined, { 'x-min-position': String(expired.position) });
    expect(status.body.agents.find((agent: { agentId: string }) => agent.agentId === 'agent-0')).toMatchObject({ keyStatus: 'EXPIRED', lastRequest: { status: 'EXPIRED' } });
    const pending = await call(suite.server, 'GET', `/v1/orgs/${admin.orgId}/key-requests`, admin.token);
    expect(pending.body.items).toEqual([]);
    // The expiry is recorded at the scheduler's time, 7 days on, and time never goes backwards in the
    // agent's stream: the request again is made there too (an instance at that time, as real time would be).
    const again = await requestKeyAt(requester, new Date(Date.parse(expired.metadata.occurredAt) + 60_000));
    expect(again.status).toBe('PENDING');
  });

  it('reads no agent stream for a request none of whose deadlines has come: a pass over an org of many pending requests reads its org stream once (found by the MongoDB tenant probe)', async () => {
    const { admin, requestedAt } = await orgWithPendingRequests(30);
    const at = (ms: number) => () => new Date(requestedAt + ms);
    const reads = jest.spyOn(suite.server.eventStore, 'readStream');
    const streamsRead = () => reads.mock.calls.map(([stream]) => stream).filter((stream) => stream.includes(admin.orgId));
    try {
      // Past the shortest deadline any policy allows (an hour), before this org's reminder (48 h).
      expect(await scheduler(at(2 * HOUR)).pass()).toBe(0);
      expect(streamsRead()).toEqual([orgStream(admin.orgId)]);
      expect(await scheduler(at(49 * HOUR)).pass()).toBe(30);
      await readModelsCaughtUp();
      reads.mockClear();
      // Reminded, not yet expired (7 days).
      expect(await scheduler(at(50 * HOUR)).pass()).toBe(0);
      expect(streamsRead()).toEqual([orgStream(admin.orgId)]);
    } finally {
      reads.mockRestore();
    }
  });

  it('reminds only the approvers who can still move an M-of-N request: not one whose approval already counts, who would be refused ALREADY_APPROVED (found by the lifecycle probe)', async () => {
    const admin = await suite.journey.createOrg('alice', { memberKeyApprovals: 3 });
    await suite.journey.activeKey(admin, admin);
    const approvers = [];
    for (const agentId of ['bob', 'carol']) {
      const approver = await suite.journey.addAgent(admin, agentId, 'ADMIN');
      await suite.journey.activeKey(approver, admin);
      approvers.push(approver);
    }
    const [bob, carol] = approvers;
    const requester = await suite.journey.addAgent(admin, 'dave');
    const requested = (await suite.journey.requestKey(requester)).body;
    const requestedAt = Date.now();
    // bob's approval counts; carol approved with a key she has replaced since, so hers no longer does.
    for (const approver of [bob, carol]) {
      const approved = await suite.journey.decide(approver, requested.requestId, 'APPROVE', { verificationCode: requested.verificationCode });
      expect({ status: approved.status, state: approved.body.status }).toEqual({ status: 200, state: 'PENDING' });
    }
    await suite.journey.activeKey(carol, admin);
    await readModelsCaughtUp();
    expect(await scheduler(() => new Date(requestedAt + 49 * HOUR)).pass()).toBe(1);
    const [reminder] = (await eventsOf(admin.orgId, 'KeyRequestReminderSent')).filter((event) => event.data.requestId === requested.requestId);
    const reminded = await new EmailJobPlanner(suite.server.eventStore).jobsFor(reminder);
    expect(reminded.map((job) => [job.kind, job.to.agentId]).sort()).toEqual([
      ['KEY_REQUEST_REMINDER', 'alice'],
      ['KEY_REQUEST_REMINDER', 'carol'],
    ]);
  });

  it('dates each decision of a pass at the time it is made, not at the pass\'s start: a long pass would date its last decisions long before they reach the log, behind checkpoints signed meanwhile (README: what event times prove)', async () => {
    const { admin, requestedAt } = await orgWithPendingRequests(2);
    // A clock a minute later at each reading, as a pass over many due requests sees it.
    let readings = 0;
    const ticking = () => new Date(requestedAt + 8 * DAY + readings++ * 60_000);
    expect(await scheduler(ticking).pass()).toBeGreaterThanOrEqual(2);
    const [first, second] = (await eventsOf(admin.orgId, 'KeyRequestExpired')).map((event) => Date.parse(event.metadata.occurredAt));
    expect(second - first).toBeGreaterThanOrEqual(60_000);
  });

  it('lets the agent request again, without replacePending, once their request is past its expiry though no scheduler recorded it yet', async () => {
    const { admin, requesters, requests, requestedAt } = await orgWithPendingRequests(1);
    const [requester] = requesters;
    // 8 days on, no scheduler has run (the projector was down): nobody can decide the request any more.
    const again = await requestKeyAt(requester, new Date(requestedAt + 8 * DAY));
    expect(again.status).toBe('PENDING');
    const old = await call(suite.server, 'GET', `/v1/orgs/${admin.orgId}/key-requests/${requests[0].requestId}`, requester.token);
    expect(old.body.status).toBe('CANCELLED');
  });

  it("shows the approver and the requester when a PENDING request is reminded of and expires, by the org's policy now", async () => {
    const { admin, requesters, requests } = await orgWithPendingRequests(1);
    const [requester] = requesters;
    const { requestId } = requests[0];
    // Deadlines count from the expiry of the challenge the request answered, plus the tolerated clock skew (R15, R20).
    const requested = (await eventsOf(admin.orgId, 'KeyRequested')).find((event) => event.data.requestId === requestId)!;
    const from = Date.parse(JSON.parse((requested.data as { proof: { statement: string } }).proof.statement).expiresAt) + 2 * 60_000;
    const deadlines = (remindHours: number, expiryHours: number) => ({
      remindAt: new Date(from + remindHours * HOUR).toISOString(),
      expiresAt: new Date(from + expiryHours * HOUR).toISOString(),
    });
    const listed = async (at?: string) =>
      (await call(suite.server, 'GET', `/v1/orgs/${admin.orgId}/key-requests?status=PENDING`, admin.token, undefined, at ? { 'x-min-position': at } : {})).body.items;
    const read = async () => (await call(suite.server, 'GET', `/v1/orgs/${admin.orgId}/key-requests/${requestId}`, requester.token)).body;

    expect(await listed()).toEqual([expect.objectContaining({ requestId, ...deadlines(48, 168) })]);
    expect(await read()).toMatchObject({ status: 'PENDING', ...deadlines(48, 168) });

    // A SUPER_ADMIN shortens the org's deadlines: the request the approver is looking at now expires a day after it was made.
    const changed = await suite.journey.setPolicy(admin, { ...DEFAULT_ORG_POLICY, reminderAfterHours: 2, pendingRequestExpiryHours: 24 });
    expectAccepted(changed);
    expect(await listed(changed.body.position)).toEqual([expect.objectContaining({ requestId, ...deadlines(2, 24) })]);
    expect(await read()).toMatchObject({ status: 'PENDING', ...deadlines(2, 24) });
  });

  it('shows a request past its expiry that no scheduler recorded yet as EXPIRED, and leaves it out of the pending list: nobody can decide it any more', async () => {
    const { admin, requesters, requests } = await orgWithPendingRequests(2);
    const [late, waiting] = requests.map((request) => request.requestId);
    const lateAt = Date.parse((await call(suite.server, 'GET', `/v1/orgs/${admin.orgId}/key-requests/${late}`, admin.token)).body.expiresAt);
    const waitingAt = Date.parse((await call(suite.server, 'GET', `/v1/orgs/${admin.orgId}/key-requests/${waiting}`, admin.token)).body.expiresAt);
    // A reader at an instant past the first request's expiry and before the second's (they were made moments apart).
    const now = new Date(lateAt);
    expect(now.getTime()).toBeLessThan(waitingAt);
    const readAt = (agent: TestAgent, requestId: string) => suite.server.app.get(QueryBus).execute(new GetKeyRequestQuery(agent.orgId, agent.agentId, requestId, now));
    expect(await readAt(requesters[0], late)).toMatchObject({ status: 'EXPIRED', expiresAt: new Date(lateAt).toISOString() });
    expect(await readAt(admin, waiting)).toMatchObject({ status: 'PENDING' });
    const org = (await suite.server.app.get(Directory).org(admin.orgId)).state;
    const page = await suite.server.app.get(PendingApprovalsQuery).page(admin.orgId, org, { limit: 50 }, now);
    expect(page.items.map((item) => item.requestId)).toEqual([waiting]);
    // Nothing was recorded: the reads judged the request by the policy, as a decision would.
    expect(await eventsOf(admin.orgId, 'KeyRequestExpired')).toEqual([]);
    const decided = await suite.journey.decide(admin, waiting, 'REJECT');
    expectAccepted(decided);
    expect((await call(suite.server, 'GET', `/v1/orgs/${admin.orgId}/key-requests/${waiting}`, admin.token)).body).toMatchObject({ status: 'REJECTED', expiresAt: null, remindAt: null });
  });

  /** A key request of `agent` made at `at` (a challenge issued then, the command run then), as an instance whose clock says `at` makes it. */
  async function requestKeyAt(agent: TestAgent, at: Date): Promise<RequestedKey> {
    const key = generateKeyPair();
    const challenge = await suite.server.app.get(QueryBus).execute(new IssueChallengeQuery(agent.orgId, agent.agentId, { purpose: 'KEY_REQUEST', publicKey: key.publicKey }, at));
    const commandId = randomUUID();
    const context = { actor: agent.agentId, orgId: agent.orgId, correlationId: commandId, commandId, now: at };
    return suite.server.app.get(CommandBus).execute(new RequestKeyCommand(context, key.publicKey, challenge.challengeId, key.sign(challenge.statement), false));
  }

  it('survives a restart: a scheduler started after the deadline finds the request in the log and read model', async () => {
    const { admin, requests, requestedAt } = await orgWithPendingRequests(1);
    const first = scheduler(() => new Date(requestedAt + HOUR));
    first.start();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await first.stop();
    expect(await eventsOf(admin.orgId, 'KeyRequestExpired')).toEqual([]);

    const restarted = scheduler(() => new Date(requestedAt + 8 * DAY));
    restarted.start();
    try {
      while ((await eventsOf(admin.orgId, 'KeyRequestExpired')).length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      await restarted.stop();
    }
    expect((await eventsOf(admin.orgId, 'KeyRequestExpired')).map((event) => event.data.requestId)).toEqual([requests[0].requestId]);
  });

  it('records each expiry once when instances race, and one lease keeps a single scheduler at work', async () => {
    const { admin, requests, requestedAt } = await orgWithPendingRequests(6);
    const late = () => new Date(requestedAt + 8 * DAY);
    // No lease between them: the worst case, as during a lease handover. Only the event store arbitrates.
    const racing = [scheduler(late), scheduler(late), scheduler(late)];
    const acted = await Promise.all(racing.map((instance) => instance.pass()));
    expect(acted.reduce((sum, n) => sum + n, 0)).toBe(requests.length);
    const expired = await eventsOf(admin.orgId, 'KeyRequestExpired');
    expect(expired.map((event) => event.data.requestId).sort()).toEqual(requests.map((request) => request.requestId).sort());

    const lease = new InProcessLease();
    const holder = scheduler(late, lease, 10_000);
    let standbyPasses = 0;
    const standby = scheduler(() => (standbyPasses++, late()), lease, 10);
    holder.start();
    standby.start();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await standby.stop();
    await holder.stop();
    expect(standbyPasses).toBe(0);
  });

  it('decides an approval at the time it will be recorded: an instance whose clock is behind the request\'s stream refuses one that would be recorded past the expiry', async () => {
    const alice = await suite.journey.createOrg('alice');
    await suite.journey.activeKey(alice, alice);
    const bob = await suite.journey.addAgent(alice, 'bob', 'ADMIN');
    await suite.journey.activeKey(bob, alice);
    const carol = await suite.journey.addAgent(alice, 'carol');
    await suite.journey.activeKey(carol, alice);
    // carol asks to replace her key; another instance, its clock 8 days ahead, revokes her current one meanwhile.
    const { requestId, verificationCode } = (await suite.journey.requestKey(carol)).body;
    const states = new StreamStates(suite.server.eventStore);
    const ahead = new RevokeKeyHandler(new Directory(states), new EventWriter(suite.server.eventStore, states, suite.server.app.get(TamperedOrgs)));
    const commandId = randomUUID();
    await ahead.execute(new RevokeKeyCommand({ actor: 'alice', orgId: alice.orgId, correlationId: commandId, commandId, now: new Date(Date.now() + 8 * DAY) }, 'carol', 'Laptop lost'));
    const head = await suite.server.eventStore.headPosition();
    // Time never goes backwards in carol's stream, so bob's approval would be recorded 8 days on, past the request's 7:
    // the log would show a decision on an expired request (and a challenge used after its own expiry).
    const approved = await suite.journey.decide(bob, requestId, 'APPROVE', { verificationCode });
    expect([approved.status, approved.body.code]).toEqual([409, 'REQUEST_EXPIRED']);
    expect(await suite.server.eventStore.headPosition()).toBe(head);
  });
});
