import { decode } from '../../src/domain/events/decode';
import { DEFAULT_ORG_POLICY } from '../../src/domain/organization/org-policy';
import { OPERATOR_ACTOR } from '../../src/domain/shared/actor';
import { auditEntry } from '../../src/transparency/audit-entry';
import { AuditVerifier } from '../../src/transparency/audit-verifier';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventStore, RecordedEvent } from '../../src/event-store/event-store.port';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { checkpointOrigin, openCheckpoint, checkpointTime } from '../../src/transparency/checkpoint';
import { eventLeafInput } from '../../src/transparency/event-leaf';
import { CHECKPOINT_SIGNED, checkpointEvent, LogCheckpointer, SIGNING_MARGIN_MS, type CheckpointSignedData } from '../../src/transparency/log-checkpointer';
import { checkpointStream } from '../../src/domain/streams';
import { logKeyOf } from '../../src/transparency/log-key';
import { CompactRange, leafHash } from '../../src/transparency/merkle-tree';
import { MerkleFollower } from '../../src/transparency/merkle-follower';
import { SqliteMerkleNodeStore } from '../../src/transparency/node-store/sqlite-merkle-node-store';
import { parseVerifierKey, signerFromSeed } from '../../src/transparency/signed-note';
import { SigningGate } from '../../src/transparency/signing-gate';
import { newEvent } from '../event-store/event-factory';

const signer = signerFromSeed('ztkeys.test/log', Buffer.alloc(32, 9));
const KEY = logKeyOf(signer);

/** A gate a check of the log opened: the stored nodes agree with it, no org's log has a fault. */
function vouched(): SigningGate {
  const gate = new SigningGate();
  gate.checked({ newer: [], faults: [], disagreements: [] });
  return gate;
}

const orgEvent = (orgId: string, i: number) => {
  const event = newEvent('AgentAdded', { agentId: `a-${i}`, role: 'MEMBER' });
  return { ...event, metadata: { ...event.metadata, orgId } };
};

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** An org's events in log order, checkpoints apart, as a verifier reads them from an export. */
async function orgLog(events: EventStore, orgId: string): Promise<{ leaves: RecordedEvent[]; checkpoints: CheckpointSignedData[] }> {
  const all = (await events.readAll(undefined, 10_000)).filter((event) => event.metadata.orgId === orgId);
  return {
    leaves: all.filter((event) => event.type !== CHECKPOINT_SIGNED),
    checkpoints: all.filter((event) => event.type === CHECKPOINT_SIGNED).map((event) => event.data as unknown as CheckpointSignedData),
  };
}

describe('log checkpointer', () => {
  let dir: string;
  let events: SqliteEventStore;
  const running: Array<{ stop(): Promise<void> }> = [];
  const errors: unknown[] = [];
  /** A copy of the role: a follower keeping the trees in the node store (one file for every copy), and its checkpointer. */
  const start = async (delayMs: number, idleMs: number, log: EventStore = events, maxOrgs?: number, gate = vouched(), clock?: () => number) => {
    const nodes = new SqliteMerkleNodeStore({ path: join(dir, 'merkle-nodes.sqlite') });
    const follower = new MerkleFollower(log, nodes, { retryMs: 50, maxOrgs, onError: (error) => errors.push(error), clock });
    const checkpointer = new LogCheckpointer(log, KEY, follower, gate, { delayMs, idleMs, onError: (error) => errors.push(error) });
    const copy = {
      stop: async () => {
        await checkpointer.stop();
        await follower.stop();
        await nodes.close();
      },
    };
    running.push(copy);
    await follower.start();
    checkpointer.start();
    return copy;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ztkeys-checkpointer-'));
    events = new SqliteEventStore({ path: join(dir, 'events.sqlite') });
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((checkpointer) => checkpointer.stop()));
    expect(errors.splice(0)).toEqual([]);
    await events.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("signs each org's tree after it grows, in the org's checkpoint stream, verifiable from the log alone", async () => {
    await events.append([{ stream: 'org-acme', expected: 'no_stream', events: [orgEvent('acme', 0), orgEvent('acme', 1)] }]);
    await events.append([{ stream: 'org-other', expected: 'no_stream', events: [orgEvent('other', 0)] }]);
    await start(50, 60_000);
    await events.append([{ stream: 'org-acme', expected: 1n, events: [orgEvent('acme', 2)] }]);

    const verifier = parseVerifierKey(KEY.vkey);
    for (const [orgId, size] of [['acme', 3], ['other', 1]] as const) {
      await waitFor(async () => ((await orgLog(events, orgId)).checkpoints.some((c) => c.size === size) ? true : undefined));
      const { leaves, checkpoints } = await orgLog(events, orgId);
      const tree = CompactRange.empty();
      const roots = [tree.root()];
      for (const event of leaves) {
        tree.append(leafHash(eventLeafInput(decode(event))));
        roots.push(tree.root());
      }
      for (const { note, size: signedSize } of checkpoints) {
        const checkpoint = openCheckpoint(note, verifier, checkpointOrigin(KEY.signer.name, orgId));
        expect(checkpoint.size).toBe(signedSize);
        expect(checkpoint.rootHash).toEqual(roots[signedSize]);
      }
      expect((await events.readStream(checkpointStream(orgId))).length).toBe(checkpoints.length);
    }
  });

  it('signs every org that grew in one append of the log, at one time, when the first is due', async () => {
    for (const orgId of ['a', 'b', 'c']) await events.append([{ stream: `org-${orgId}`, expected: 'no_stream', events: [orgEvent(orgId, 0)] }]);
    await start(100, 60_000);
    await waitFor(async () => ((await events.readAll(undefined, 100)).filter((event) => event.type === CHECKPOINT_SIGNED).length === 3 ? true : undefined));
    const signed = (await events.readAll(undefined, 100)).filter((event) => event.type === CHECKPOINT_SIGNED);
    // One append: consecutive positions, one timestamp.
    expect(signed.map((event) => event.position - signed[0].position)).toEqual([0n, 1n, 2n]);
    expect(new Set(signed.map((event) => event.metadata.occurredAt)).size).toBe(1);
    expect(signed.map((event) => event.metadata.orgId).sort()).toEqual(['a', 'b', 'c']);
  });

  it('signs a timestamped checkpoint of the same size while nothing happens, and only then', async () => {
    await events.append([{ stream: 'org-acme', expected: 'no_stream', events: [orgEvent('acme', 0)] }]);
    await start(20, 300);
    const first = await waitFor(async () => (await orgLog(events, 'acme')).checkpoints[0]);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect((await orgLog(events, 'acme')).checkpoints).toHaveLength(1);
    const second = await waitFor(async () => (await orgLog(events, 'acme')).checkpoints[1]);
    expect(second.size).toBe(first.size);
    const verifier = parseVerifierKey(KEY.vkey);
    const origin = checkpointOrigin(KEY.signer.name, 'acme');
    const [t1, t2] = [first, second].map(({ note }) => checkpointTime(openCheckpoint(note, verifier, origin))!.getTime());
    expect(t2 - t1).toBeGreaterThanOrEqual(300);
  });

  it('resumes from the checkpoints in the log after a restart, and two copies sign each state once', async () => {
    await events.append([{ stream: 'org-acme', expected: 'no_stream', events: [orgEvent('acme', 0)] }]);
    const first = await start(20, 60_000);
    await waitFor(async () => (await orgLog(events, 'acme')).checkpoints[0]);
    await first.stop();
    running.splice(running.indexOf(first), 1);

    await start(20, 60_000);
    await start(20, 60_000);
    await events.append([{ stream: 'org-acme', expected: 0n, events: [orgEvent('acme', 1)] }]);
    await waitFor(async () => ((await orgLog(events, 'acme')).checkpoints.some((c) => c.size === 2) ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await orgLog(events, 'acme')).checkpoints.map((c) => c.size)).toEqual([1, 2]);
  });

  it("signs orgs out of the follower's memory, found in the node store: grown after a restart, then idle, each state once", async () => {
    const orgs = Array.from({ length: 40 }, (_, i) => `org${i}`);
    for (const orgId of orgs) await events.append([{ stream: `org-${orgId}`, expected: 'no_stream', events: [orgEvent(orgId, 0), orgEvent(orgId, 1)] }]);
    // The trees stored with no checkpoint: a restart (none in memory) must find every org grown.
    const nodes = new SqliteMerkleNodeStore({ path: join(dir, 'merkle-nodes.sqlite') });
    const follower = new MerkleFollower(events, nodes, { maxOrgs: 4 });
    await follower.start();
    await follower.whenCaughtUp();
    await follower.stop();
    await nodes.close();

    await start(50, 1500, events, 4);
    const checkpoints = async () => (await events.readAll(undefined, 10_000)).filter((event) => event.type === CHECKPOINT_SIGNED);
    await waitFor(async () => ((await checkpoints()).length >= 2 * orgs.length ? true : undefined), 15_000);
    const signed = await checkpoints();
    for (const orgId of orgs) {
      const mine = signed.filter((event) => event.metadata.orgId === orgId);
      expect(mine.map((event) => (event.data as unknown as CheckpointSignedData).size)).toEqual([2, 2]);
      const [first, second] = mine.map((event) => Date.parse(event.metadata.occurredAt));
      expect(second - first).toBeGreaterThanOrEqual(1500);
    }
  });

  it('looks at the node store for due orgs only when an org may be out of memory: not after replaying from the start, nor after a restart when the store holds no more orgs than memory may; at once when it holds more', async () => {
    // Given a follower that replayed the log from its start (an empty store), and a store that counts its looks for due orgs
    for (const orgId of ['acme', 'other']) await events.append([{ stream: `org-${orgId}`, expected: 'no_stream', events: [orgEvent(orgId, 0)] }]);
    const looks: number[] = [];
    const watched = (nodes: SqliteMerkleNodeStore): SqliteMerkleNodeStore =>
      Object.create(nodes, { due: { value: (...args: Parameters<SqliteMerkleNodeStore['due']>) => (looks.push(Date.now()), nodes.due(...args)) } });
    const copy = async (maxOrgs?: number) => {
      const nodes = new SqliteMerkleNodeStore({ path: join(dir, 'merkle-nodes.sqlite') });
      const follower = new MerkleFollower(events, watched(nodes), { maxOrgs, onError: (error) => errors.push(error) });
      const checkpointer = new LogCheckpointer(events, KEY, follower, vouched(), { delayMs: 20, idleMs: 60_000, onError: (error) => errors.push(error) });
      await follower.start();
      checkpointer.start();
      const stop = async () => (await checkpointer.stop(), await follower.stop(), await nodes.close());
      running.push({ stop });
      return { follower, stop: async () => (running.splice(running.findIndex((one) => one.stop === stop), 1), await stop()) };
    };
    const first = await copy();
    // When it signs and then idles for many signAfterMs
    await waitFor(async () => ((await orgLog(events, 'other')).checkpoints[0] && (await orgLog(events, 'acme')).checkpoints[0]));
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Then it never looked: every org was in memory
    expect(first.follower.holdsEveryOrg).toBe(true);
    expect(looks).toEqual([]);
    // When it restarts from its checkpoint, the two orgs within its bound: their rows are read at start, and it idles without looking
    await first.stop();
    const second = await copy();
    await second.follower.whenCaughtUp();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(looks).toEqual([]);
    expect(second.follower.holdsEveryOrg).toBe(true);
    // When it restarts under a bound of one org: it looks, every signAfterMs
    await second.stop();
    await copy(1);
    await waitFor(async () => (looks.length >= 3 ? true : undefined));
  });

  it('signs nothing while the log holds an event the follower has not stored dated more than the signing margin before now: a checkpoint signed then would date every event after its size no earlier than itself (event-times.ts), that one not', async () => {
    await events.append([{ stream: 'org-acme', expected: 'no_stream', events: [orgEvent('acme', 0)] }]);
    // The follower's subscription held at one event, as a follower minutes behind the log is.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const held = new Set<string>();
    const behind: EventStore = Object.create(events, {
      subscribeToAll: {
        value: (options: Parameters<EventStore['subscribeToAll']>[0]) =>
          events.subscribeToAll({ ...options, handler: async (event) => (held.has(event.id) ? released.then(() => options.handler(event)) : options.handler(event)) }),
      },
    });
    const idleMs = 200;
    await start(20, idleMs, behind);
    const signedAt = async () => (await events.readAll(undefined, 100)).filter((event) => event.type === CHECKPOINT_SIGNED).map((event) => Date.parse(event.metadata.occurredAt));
    await waitFor(async () => ((await signedAt()).length > 0 ? true : undefined));

    // acme's next event, dated as an instance that decided it before the margin would, reaches the log and not the follower.
    const late = orgEvent('acme', 1);
    late.metadata.occurredAt = new Date(Date.now() - SIGNING_MARGIN_MS - 1000).toISOString();
    held.add(late.id);
    await events.append([{ stream: 'org-acme', expected: 0n, events: [late] }]);
    const appended = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 4 * idleMs));
    // No idle checkpoint of size 1 after it: each would be signed later than the margin after the event it does not cover.
    expect((await signedAt()).filter((at) => at >= appended)).toEqual([]);

    release();
    const { checkpoints } = await waitFor(async () => {
      const log = await orgLog(events, 'acme');
      return log.checkpoints.some((checkpoint) => checkpoint.size === 2) ? log : undefined;
    });
    expect(checkpoints.at(-1)!.size).toBe(2);
  });

  it("signs nothing while the gate holds every org, what grew meanwhile at once when a check releases it, never an org whose log has a fault", async () => {
    for (const orgId of ['acme', 'faulty']) await events.append([{ stream: `org-${orgId}`, expected: 'no_stream', events: [orgEvent(orgId, 0)] }]);
    const gate = new SigningGate();
    const delayMs = 100;
    await start(delayMs, 60_000, events, undefined, gate);
    // Many delays: the follower has caught up and stored both orgs long before.
    await new Promise((resolve) => setTimeout(resolve, 5 * delayMs));
    const checkpoints = async () => (await events.readAll(undefined, 100)).filter((event) => event.type === CHECKPOINT_SIGNED);
    expect(await checkpoints()).toEqual([]);
    // A check whose nodes could not be read vouches for nothing.
    gate.checked({ newer: [], faults: [] });
    await new Promise((resolve) => setTimeout(resolve, 2 * delayMs));
    expect(await checkpoints()).toEqual([]);

    // Nothing else arms the checkpointer here: the check's release does, the leaf long due.
    gate.checked({ newer: [], faults: [{ orgId: 'faulty', index: 0, reason: 'altered' }], disagreements: [] });
    await waitFor(async () => ((await checkpoints()).length > 0 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 3 * delayMs));
    expect((await checkpoints()).map((event) => event.metadata.orgId)).toEqual(['acme']);

    // A check that finds the nodes disagree holds every org again, the next growth too.
    gate.checked({ newer: [], faults: [], disagreements: ['org acme: altered'] });
    await events.append([{ stream: 'org-acme', expected: 0n, events: [orgEvent('acme', 1)] }]);
    await new Promise((resolve) => setTimeout(resolve, 3 * delayMs));
    expect(await checkpoints()).toHaveLength(1);
    gate.checked({ newer: [], faults: [], disagreements: [] });
    // Its fault gone (the log restored), the org is signed again.
    await waitFor(async () => ((await orgLog(events, 'faulty')).checkpoints.length === 1 && (await orgLog(events, 'acme')).checkpoints.some((c) => c.size === 2) ? true : undefined));
  });

  it("signs nothing more once a checkpoint by a key it does not hold is in the log: a copy left on the retired key during a rotation (README: rotating the log key) would sign after its successor, which every check refuses", async () => {
    await events.append([{ stream: 'org-acme', expected: 'no_stream', events: [orgEvent('acme', 0)] }]);
    // Long enough that the copy on the retired key does not sign the growth before the successor does.
    const delayMs = 400;
    await start(delayMs, 60_000);
    await waitFor(async () => (await orgLog(events, 'acme')).checkpoints[0]);
    // A copy already restarted with the new key signs the org's next state.
    const successor = signerFromSeed('ztkeys.test/log-2', Buffer.alloc(32, 10));
    await events.append([{ stream: 'org-acme', expected: 0n, events: [orgEvent('acme', 1)] }]);
    const tree = CompactRange.empty();
    for (const event of (await orgLog(events, 'acme')).leaves) tree.append(leafHash(eventLeafInput(decode(event))));
    await events.append([{ stream: checkpointStream('acme'), expected: 0n, events: [checkpointEvent(successor, 'acme', tree, new Date())] }]);
    const signedBy = async () => (await orgLog(events, 'acme')).checkpoints.map(({ note }) => note.slice(note.lastIndexOf('\u2014 ') + 2).split(' ')[0]);
    await waitFor(async () => ((await signedBy()).includes(successor.name) ? true : undefined));
    await events.append([{ stream: 'org-acme', expected: 1n, events: [orgEvent('acme', 2)] }]);
    await new Promise((resolve) => setTimeout(resolve, 3 * delayMs));
    const names = await signedBy();
    expect(names.slice(names.indexOf(successor.name))).toEqual([successor.name]);
    expect(errors.map(String)).toEqual([expect.stringContaining(`signed by ${successor.name}+`)]);
    errors.splice(0);
  });

  it('signs at once what is due after the clock stepped forward (NTP, a VM resumed), not when the timer armed by the clock before fires', async () => {
    let ahead = 0;
    const clock = () => Date.now() + ahead;
    await events.append([{ stream: 'org-acme', expected: 'no_stream', events: [orgEvent('acme', 0)] }]);
    // Idle checkpoints an hour apart: the timer is armed for the next one, an hour away.
    await start(20, 3_600_000, events, undefined, vouched(), clock);
    await waitFor(async () => ((await orgLog(events, 'acme')).checkpoints.length === 1 ? true : undefined));
    // The clock steps two hours forward: the idle checkpoint is due now, and so is the growth after it.
    ahead = 2 * 3_600_000;
    await events.append([{ stream: 'org-acme', expected: 0n, events: [orgEvent('acme', 1)] }]);
    await waitFor(async () => ((await orgLog(events, 'acme')).checkpoints.some((checkpoint) => checkpoint.size === 2) ? true : undefined));
  });

  describe('a clock stepped back (NTP, a VM moved) between two checkpoints of an org', () => {
    /** The server's clock, `back` ms behind the machine's. */
    let back = 0;
    const clock = () => Date.now() - back;
    /** An event of acme's history that audit verify replays, dated by the server's clock as the event writer does. */
    const acmeEvent = (type: string, actor: string, data: Record<string, unknown>) => {
      const event = newEvent(type, data);
      return { ...event, metadata: { ...event.metadata, actor, orgId: 'acme', occurredAt: new Date(clock()).toISOString() } };
    };
    const bobAdded = (i: number) => acmeEvent('AgentAdded', 'alice', { agentId: `bob-${i}`, email: `bob-${i}@acme.test`, displayName: `Bob ${i}`, role: 'MEMBER' });
    /** acme's export, as the server writes it, through the verifier `audit verify` runs. */
    const verified = async () => {
      const verifier = new AuditVerifier({ logKey: parseVerifierKey(KEY.vkey) });
      for (const event of (await events.readAll(undefined, 10_000)).filter((one) => one.metadata.orgId === 'acme')) {
        const { orgId: _, ...line } = auditEntry(decode(event));
        verifier.pushText(`${JSON.stringify(line)}\n`);
      }
      return verifier.finish();
    };
    const signedTimes = async () => (await orgLog(events, 'acme')).checkpoints.map(({ note }) => checkpointTime(openCheckpoint(note, parseVerifierKey(KEY.vkey), checkpointOrigin(KEY.signer.name, 'acme')))!.getTime());
    const signedSize = (size: number) => waitFor(async () => ((await orgLog(events, 'acme')).checkpoints.some((c) => c.size === size) ? true : undefined));

    beforeEach(async () => {
      back = 0;
      // As the server creates an org: with its SUPER_ADMIN, both by the operator, in one commit.
      const created = acmeEvent('OrganizationCreated', OPERATOR_ACTOR, { orgId: 'acme', name: 'Acme', policy: DEFAULT_ORG_POLICY, superAdminId: 'alice' });
      const alice = acmeEvent('AgentAdded', OPERATOR_ACTOR, { agentId: 'alice', email: 'alice@acme.test', displayName: 'Alice', role: 'SUPER_ADMIN' });
      await events.append([{ stream: 'org-acme', expected: 'no_stream', events: [created, alice] }]);
      await start(20, 60_000, events, undefined, vouched(), clock);
      await signedSize(2);
    });

    it('by less than the signing margin: the next checkpoint is dated no earlier than the previous one, and the export verifies', async () => {
      back = SIGNING_MARGIN_MS / 2;
      await events.append([{ stream: 'org-acme', expected: 1n, events: [bobAdded(1)] }]);
      await signedSize(3);
      expect(await verified()).toMatchObject({ ok: true, orgs: [{ orgId: 'acme', checkpoints: 2, uncovered: 0 }] });
      // Dated as the previous one: equal times are no step back.
      const [first, second] = await signedTimes();
      expect(second).toBe(first);
    });

    it('by more: nothing is signed for the org until the clock has passed its previous checkpoint, with a warning; then the export verifies', async () => {
      back = SIGNING_MARGIN_MS + 30_000;
      await events.append([{ stream: 'org-acme', expected: 1n, events: [bobAdded(1)] }]);
      await waitFor(async () => (errors.length > 0 ? true : undefined));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect((await orgLog(events, 'acme')).checkpoints.map((c) => c.size)).toEqual([2]);
      expect(errors.splice(0).map(String)).toEqual([expect.stringContaining("behind org acme's last checkpoint")]);

      // The clock set right again (or caught up): the growth is signed.
      back = 0;
      await signedSize(3);
      expect(await verified()).toMatchObject({ ok: true, orgs: [{ orgId: 'acme', checkpoints: 2, uncovered: 0 }] });
      const [first, second] = await signedTimes();
      expect(second).toBeGreaterThanOrEqual(first);
    });
  });

  it('replays the log again after the store failed, and then checkpoints', async () => {
    await events.append([{ stream: 'org-acme', expected: 'no_stream', events: [orgEvent('acme', 0)] }]);
    // The real store, whose first answer about its head fails as an unreachable server's would.
    let failures = 1;
    const flaky: EventStore = Object.create(events, {
      headPosition: { value: () => (failures-- > 0 ? Promise.reject(new Error('store down')) : events.headPosition()) },
    });
    await start(20, 60_000, flaky);
    await waitFor(async () => (await orgLog(events, 'acme')).checkpoints[0]);
    expect(errors.splice(0).map(String)).toEqual(['Error: store down']);
  });
});
