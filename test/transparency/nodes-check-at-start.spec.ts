import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from '../../src/domain/events/decode';
import { DEFAULT_ORG_POLICY } from '../../src/domain/organization/org-policy';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { eventLeafInput } from '../../src/transparency/event-leaf';
import { checkpointEvent } from '../../src/transparency/log-checkpointer';
import { checkpointStream } from '../../src/domain/streams';
import { logKeyOf } from '../../src/transparency/log-key';
import { CompactRange, leafHash } from '../../src/transparency/merkle-tree';
import { checkNodesAtStart } from '../../src/transparency/nodes-check-at-start';
import { SqliteMerkleNodeStore } from '../../src/transparency/node-store/sqlite-merkle-node-store';
import { signerFromSeed } from '../../src/transparency/signed-note';
import { newEvent } from '../event-store/event-factory';
import { followToHead } from './support/follow-to-head';

const KEY = logKeyOf(signerFromSeed('ztkeys.test/log', Buffer.alloc(32, 7)));
const OTHER_KEY = logKeyOf(signerFromSeed('ztkeys.test/log', Buffer.alloc(32, 8)));

/**
 * The check at start of the stored nodes bounded by the orgs (nodes-check-at-start.ts), on the
 * real SQLite log and node store, the nodes kept by the real follower: given an org signed or
 * never signed, when checked, the stored nodes agree, disagree, or are not vouched for (held
 * until the check of the whole log).
 */
describe('the check of the stored nodes at start', () => {
  let dir: string;
  let events: SqliteEventStore;
  let nodes: SqliteMerkleNodeStore;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ztkeys-nodes-at-start-'));
    events = new SqliteEventStore({ path: join(dir, 'events.sqlite') });
    nodes = new SqliteMerkleNodeStore({ path: join(dir, 'merkle-nodes.sqlite') });
    await nodes.init();
  });
  afterEach(async () => {
    await nodes.close();
    await events.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ofOrg = (orgId: string, type: string, data: Record<string, unknown>) => {
    const event = newEvent(type, data);
    return { ...event, metadata: { ...event.metadata, orgId } };
  };
  /** An org created with `agents` agents added after, in its org stream. */
  const createOrg = (orgId: string, agents: number, from = 0) =>
    events.append([
      {
        stream: `org-${orgId}`,
        expected: from === 0 ? 'no_stream' : BigInt(from - 1),
        events: [
          ...(from === 0 ? [ofOrg(orgId, 'OrganizationCreated', { orgId, name: orgId, policy: DEFAULT_ORG_POLICY, superAdminId: 'alice' })] : []),
          ...Array.from({ length: agents }, (_, i) => ofOrg(orgId, 'AgentAdded', { agentId: `agent-${from + i}`, role: 'MEMBER' })),
        ],
      },
    ]);
  /** The org's tree as the log gives it. */
  const treeOf = async (orgId: string): Promise<CompactRange> => {
    const tree = CompactRange.empty();
    for (const record of await events.readAll(undefined, 1000)) if (record.metadata.orgId === orgId && record.type !== 'CheckpointSigned') tree.append(leafHash(eventLeafInput(decode(record))));
    return tree;
  };
  const sign = async (orgId: string, key = KEY) => {
    const tree = await treeOf(orgId);
    await events.append([{ stream: checkpointStream(orgId), expected: 'any', events: [checkpointEvent(key.signer, orgId, tree, new Date())] }]);
  };
  const follow = () => followToHead(events, nodes);
  /** The org's row altered: another root at its size (as the e2e's tampering of a stopped server's store). */
  const alterRowRoot = async (orgId: string) => {
    const state = (await nodes.org(orgId))!;
    await nodes.apply({ nodes: [], orgs: [{ ...state, root: Buffer.alloc(32, 1), position: state.position + 1n }], checkpoint: (await nodes.checkpoint())! });
  };
  const check = (maxOrgs = 100, tailEvents?: number) => checkNodesAtStart(events, nodes, KEY.keyring, maxOrgs, tailEvents);

  it('vouches for an org signed at its stored size and one never signed, re-derived from its creation', async () => {
    await createOrg('signed', 3);
    await sign('signed');
    await createOrg('fresh', 2);
    await follow();
    expect(await check()).toEqual({ disagreements: [], unvouched: [] });
  });

  it('finds the root of an org signed at its stored size altered in its row', async () => {
    await createOrg('signed', 3);
    await sign('signed');
    await follow();
    await alterRowRoot('signed');
    expect(await check()).toEqual({ disagreements: ['org signed: the root its row keeps for its tree of 4 is not the one the log gives'], unvouched: [] });
  });

  it('finds the root of an org never signed altered in its row', async () => {
    await createOrg('fresh', 2);
    await follow();
    await alterRowRoot('fresh');
    expect(await check()).toEqual({ disagreements: ['org fresh: the root its row keeps for its tree of 3 is not the one the log gives'], unvouched: [] });
  });

  it('does not vouch for an org grown after its checkpoint, one whose checkpoint does not verify, one never signed with too long a tail, nor one without its creation', async () => {
    await createOrg('grown', 1);
    await sign('grown');
    await createOrg('grown', 2, 2);
    await createOrg('foreign', 1);
    await sign('foreign', OTHER_KEY);
    await createOrg('long', 5);
    await events.append([{ stream: 'org-nameless', expected: 'no_stream', events: [ofOrg('nameless', 'AgentAdded', { agentId: 'a', role: 'MEMBER' })] }]);
    await createOrg('short', 1);
    await follow();
    const found = await check(100, 5);
    expect(found?.disagreements).toEqual([]);
    expect(found?.unvouched.sort()).toEqual(['foreign', 'grown', 'long', 'nameless']);
  });

  it('leaves every org to the check of the whole log when the store holds more than the follower keeps in memory', async () => {
    await createOrg('one', 1);
    await createOrg('two', 1);
    await follow();
    expect(await check(1)).toBeUndefined();
  });
});
