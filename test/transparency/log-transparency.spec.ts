import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { CHECKPOINT_SIGNED } from '../../src/transparency/log-checkpointer';
import { logKeyOf } from '../../src/transparency/log-key';
import { checkLogHere, type CheckLog } from '../../src/transparency/log-self-check';
import { LogTransparency, type TransparencyReports } from '../../src/transparency/log-transparency';
import { SqliteMerkleNodeStore } from '../../src/transparency/node-store/sqlite-merkle-node-store';
import { signerFromSeed } from '../../src/transparency/signed-note';
import { DEFAULT_ORG_POLICY } from '../../src/domain/organization/org-policy';
import { newEvent } from '../event-store/event-factory';
import { followToHead } from './support/follow-to-head';
import { waitFor } from '../notifications/support/wait-for';

const KEY = logKeyOf(signerFromSeed('ztkeys.test/log', Buffer.alloc(32, 7)));
const SETTINGS = { checkpoints: true, checkpointDelayMs: 50, checkpointIdleMs: 86_400_000, orgsInMemory: 10_000, selfCheckIntervalMs: 0 };

/**
 * The projector role's transparency work in one event loop, on the real SQLite log and node
 * store: the checkpointer signs nothing the server's check of the log has not vouched for
 * (signing-gate.ts), and a check at start that could not vouch (the log unreadable) is run
 * again soon, not left to the next interval (here none: at start only). The check at start of
 * the stored nodes bounded by the orgs (nodes-check-at-start.ts) releases the orgs it vouches for
 * before the check of the whole log ends, and holds every org when it finds the nodes disagree.
 */
describe('the log transparency work', () => {
  let dir: string;
  let events: SqliteEventStore;
  let nodes: SqliteMerkleNodeStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ztkeys-transparency-'));
    events = new SqliteEventStore({ path: join(dir, 'events.sqlite') });
    nodes = new SqliteMerkleNodeStore({ path: join(dir, 'merkle-nodes.sqlite') });
  });
  const follow = () => followToHead(events, nodes);
  const signed = async () => (await events.readAll(undefined, 100)).filter((one) => one.type === CHECKPOINT_SIGNED);
  /** A check of the whole log that is still under way when the test ends. */
  const endless: CheckLog = (signal) => new Promise((resolve) => signal.addEventListener('abort', () => resolve(undefined)));
  const created = () => {
    const event = newEvent('OrganizationCreated', { orgId: 'acme', name: 'Acme', policy: DEFAULT_ORG_POLICY, superAdminId: 'alice' });
    return events.append([{ stream: 'org-acme', expected: 'no_stream', events: [{ ...event, metadata: { ...event.metadata, orgId: 'acme' } }] }]);
  };
  const quiet = (errors: string[]): TransparencyReports => ({ onChecked: () => undefined, onFollowed: () => undefined, onError: (part, error) => void errors.push(`${part}: ${String(error)}`), onStalled: (stall) => void errors.push(`stalled: ${stall.reason}`) });
  afterEach(async () => {
    await nodes.close();
    await events.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs once a check vouched for the nodes: the check at start could not read the log, and is run again', async () => {
    const event = newEvent('AgentAdded', { agentId: 'a', role: 'MEMBER' });
    await events.append([{ stream: 'org-acme', expected: 'no_stream', events: [{ ...event, metadata: { ...event.metadata, orgId: 'acme' } }] }]);
    // Stored before the start, without its creation in the log: the check at start does not vouch for it.
    await follow();
    const checks: string[] = [];
    const errors: string[] = [];
    // The first check's read of the log fails as an unreachable store's would; the follower's reads go through.
    let failures = 1;
    const flaky = Object.create(events, { readAll: { value: (...args: Parameters<SqliteEventStore['readAll']>) => (failures-- > 0 ? Promise.reject(new Error('store down')) : events.readAll(...args)) } });
    const checkLog = (): CheckLog => checkLogHere(flaky, KEY.keyring, nodes);
    const reports = {
      onChecked: (report: { disagreements?: string[] }) => void checks.push(report.disagreements ? 'compared' : 'not compared'),
      onFollowed: () => undefined,
      onError: (part: string, error: unknown) => void errors.push(`${part}: ${String(error)}`),
      onStalled: () => undefined,
    };
    const work = new LogTransparency(events, nodes, KEY, SETTINGS, reports, checkLog);
    try {
      work.start();
      await waitFor('the check at start to fail', () => errors.length > 0);
      // Many checkpoint delays after the follower stored the org's leaf: nothing signed.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(await signed()).toEqual([]);
      await waitFor('a checkpoint', async () => (await signed()).length > 0);
      expect(checks).toEqual(['compared']);
      expect(errors).toEqual(['selfCheck: Error: store down']);
    } finally {
      await work.stop();
    }
  });

  it('signs an org the check at start of the stored nodes vouched for, the check of the whole log under way', async () => {
    await created();
    await follow();
    const errors: string[] = [];
    const work = new LogTransparency(events, nodes, KEY, SETTINGS, quiet(errors), () => endless);
    try {
      work.start();
      await waitFor('a checkpoint', async () => (await signed()).length > 0);
      expect(errors).toEqual([]);
    } finally {
      await work.stop();
    }
  });

  it('signs an org that grew while the process was stopped, its stored nodes vouched for at its checkpoint before the follower extends them', async () => {
    await created();
    const first = new LogTransparency(events, nodes, KEY, SETTINGS, quiet([]), () => endless);
    first.start();
    await waitFor('a checkpoint', async () => (await signed()).length > 0);
    await first.stop();
    // Grown while stopped (through a LOG_CHECKPOINTS=off process, say).
    const event = newEvent('AgentAdded', { agentId: 'bob', role: 'MEMBER' });
    await events.append([{ stream: 'org-acme', expected: 0n, events: [{ ...event, metadata: { ...event.metadata, orgId: 'acme' } }] }]);
    const errors: string[] = [];
    const work = new LogTransparency(events, nodes, KEY, SETTINGS, quiet(errors), () => endless);
    try {
      work.start();
      await waitFor('a checkpoint of the grown org', async () => (await signed()).some((one) => one.data.size === 2));
      expect(errors).toEqual([]);
    } finally {
      await work.stop();
    }
  });

  it('signs nothing when the check at start finds the stored nodes disagree, until the check of the whole log', async () => {
    await created();
    await follow();
    const state = (await nodes.org('acme'))!;
    await nodes.apply({ nodes: [], orgs: [{ ...state, root: Buffer.alloc(32, 1), position: state.position + 1n }], checkpoint: (await nodes.checkpoint())! });
    const errors: string[] = [];
    const work = new LogTransparency(events, nodes, KEY, SETTINGS, quiet(errors), () => endless);
    try {
      work.start();
      await waitFor('the check at start to disagree', () => errors.length > 0);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(await signed()).toEqual([]);
      expect(errors).toEqual([
        'merkleNodes: Error: the stored nodes disagree with the log at start (org acme: the root its row keeps for its tree of 1 is not the one the log gives); nothing signed until the check of the log',
      ]);
    } finally {
      await work.stop();
    }
  });
});
