import { StreamStates, type StreamFold } from '../../src/application/stream-states';
import { browserDecider } from '../../src/domain/browser/browser.decider';
import { organizationDecider } from '../../src/domain/organization/organization.decider';
import { DEFAULT_ORG_POLICY } from '../../src/domain/organization/org-policy';
import { publicKeyDecider } from '../../src/domain/public-key/public-key.decider';
import { recoveryDecider } from '../../src/domain/recovery/recovery.decider';
import type { Decider } from '../../src/domain/shared/decider';
import { orgStream } from '../../src/domain/streams';
import { keyDecider } from '../../src/domain/signature-key/key.decider';
import { call } from '../support/api-client';
import { serverForSuite } from '../support/server-for-suite';
import { expectAccepted } from './expectations';

/** The decider of each kind of stream (src/domain/streams.ts), by the prefix of its name. */
const DECIDERS: [string, Decider<never, unknown, never>][] = [
  ['org-', organizationDecider as never],
  ['agent-', keyDecider as never],
  ['browser-', browserDecider as never],
  ['pubkey-', publicKeyDecider as never],
  ['recovery-', recoveryDecider as never],
];

/**
 * The API folds what it appends into its stream-state cache instead of reading it back
 * (src/application/stream-states.ts): after every kind of command, each stream's cached state
 * must be exactly what a fresh fold of the log gives.
 */
describe('the stream-state cache after real commands', () => {
  const suite = serverForSuite();

  it('holds, for every stream written, the state and revision a fresh fold of the log gives', async () => {
    const { journey, server } = suite;
    const alice = await journey.createOrg('alice');
    await journey.requestKey(alice);
    const bob = await journey.addAgent(alice, 'bob', 'ADMIN');
    await journey.activeKey(bob, alice);
    const carol = await journey.addAgent(alice, 'carol');
    await journey.activeKey(carol, bob);
    const pending = await journey.requestKey(carol, { replacePending: true });
    expectAccepted(await journey.decide(bob, pending.body.requestId, 'REJECT', { reason: 'not now' }), 200);
    expectAccepted(await journey.setPromptFrequency(carol, 'laptop', 'DAILY'), 200);
    expectAccepted(await journey.sensitiveTask(carol, 'laptop', 'reboot', carol.key), 200);
    expectAccepted(await journey.sensitiveTask(carol, 'laptop', 'reboot'), 200);
    expect((await journey.sensitiveTask(carol, 'tablet', 'reboot')).status).toBe(401);
    expectAccepted(await journey.logout(carol, 'laptop'), 200);
    expectAccepted(await journey.setPolicy(alice, { ...DEFAULT_ORG_POLICY, reminderAfterHours: 24 }), 200);
    expectAccepted(await journey.changeRole(alice, 'carol', 'AUDITOR'), 200);
    expectAccepted(await journey.revokeKey(alice, 'bob'), 200);
    const recovery = await call(server, 'POST', `/v1/orgs/${alice.orgId}/recoveries`, server.bootstrapToken, { agentId: 'alice' });
    expectAccepted(recovery, 201);
    expectAccepted(await journey.removeAgent(alice, 'carol'), 200);

    const streams = new Set((await server.eventStore.readAll(undefined, 10_000)).map((event) => event.stream));
    const cached = server.app.get(StreamStates);
    const fresh = new StreamStates(server.eventStore);
    let compared = 0;
    for (const stream of streams) {
      const decider = DECIDERS.find(([prefix]) => stream.startsWith(prefix))?.[1] as StreamFold<unknown> & Decider<never, unknown, never>;
      if (!decider) continue;
      const [mine, theirs] = [await cached.load(stream, decider), await fresh.load(stream, decider)];
      expect({ stream, state: mine.state, expected: mine.expected, lastOccurredAt: mine.lastOccurredAt }).toStrictEqual({
        stream,
        state: theirs.state,
        expected: theirs.expected,
        lastOccurredAt: theirs.lastOccurredAt,
      });
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(8);
  });
});

describe('the stream-state cache bounded by STREAM_STATES_IN_MEMORY', () => {
  const suite = serverForSuite({ STREAM_STATES_IN_MEMORY: '1' });

  it("keeps one state: an org's stream loaded again after another's is read from its first event", async () => {
    const { journey, server } = suite;
    const [alice, bob] = [await journey.createOrg('alice'), await journey.createOrg('bob')];
    for (const admin of [alice, bob]) await journey.requestKey(admin);
    for (const admin of [alice, bob]) expectAccepted(await journey.setPolicy(admin, { ...DEFAULT_ORG_POLICY, reminderAfterHours: 24 }), 200);

    const reads = jest.spyOn(server.eventStore, 'readStream');
    expectAccepted(await journey.setPolicy(alice, { ...DEFAULT_ORG_POLICY, reminderAfterHours: 12 }), 200);
    const fromRevisions = reads.mock.calls.filter(([stream]) => stream === orgStream(alice.orgId)).map(([, from]) => from);
    reads.mockRestore();
    expect(fromRevisions.length).toBeGreaterThan(0);
    expect(fromRevisions).toContain(0n);
  });
});
