import { decode } from '../../../src/domain/events/decode';
import type { EventStore, RecordedEvent, SubscriptionOptions } from '../../../src/event-store/event-store.port';
import { eventLeafInput } from '../../../src/transparency/event-leaf';
import { CHECKPOINT_SIGNED } from '../../../src/transparency/log-checkpointer';
import { CompactRange, consistencyProof, inclusionProof, leafHash, treeRoot, type Hash, type NodeReader } from '../../../src/transparency/merkle-tree';
import type { MerkleNodeStore } from '../../../src/transparency/node-store/merkle-node-store.port';
import { storedNodes } from '../../../src/transparency/node-store/stored-nodes';

/** Every node of each org's tree, built in memory from the log: the reference the stored nodes must equal. */
export async function memoryTrees(events: EventStore): Promise<Map<string, { size: number; read: NodeReader }>> {
  const trees = new Map<string, { tree: CompactRange; nodes: Map<string, Hash> }>();
  for (let after: bigint | undefined, page: RecordedEvent[]; (page = await events.readAll(after, 5000)).length > 0; after = page[page.length - 1].position) {
    for (const record of page) {
      if (record.type === CHECKPOINT_SIGNED) continue;
      const orgId = record.metadata.orgId;
      let org = trees.get(orgId);
      if (!org) trees.set(orgId, (org = { tree: CompactRange.empty(), nodes: new Map() }));
      for (const node of org.tree.append(leafHash(eventLeafInput(decode(record))))) org.nodes.set(`${node.level}/${node.index}`, node.hash);
    }
  }
  return new Map([...trees].map(([orgId, { tree, nodes }]) => [orgId, { size: tree.size, read: (id) => nodes.get(`${id.level}/${id.index}`)! }]));
}

/** Each org's stored tree has the size of the in-memory one and gives the same roots and proofs, for each (a, b) asked (a < b <= size). */
export async function expectSameProofs(events: EventStore, nodes: MerkleNodeStore, checks: (size: number) => Array<[number, number]>): Promise<void> {
  for (const [orgId, memory] of await memoryTrees(events)) {
    const stored = await nodes.org(orgId);
    expect(stored?.size).toBe(memory.size);
    // The root in the org's row, what a checkpoint of it signs, is its tree's.
    expect(stored?.root).toEqual(treeRoot(memory.size, memory.read));
    for (const [a, b] of checks(memory.size)) {
      const read = await storedNodes(nodes, orgId, [
        { kind: 'root', size: b },
        { kind: 'inclusion', index: a, size: b },
        { kind: 'consistency', first: a, second: b },
      ]);
      expect(read).toBeDefined();
      expect(treeRoot(b, read!)).toEqual(treeRoot(b, memory.read));
      expect(inclusionProof(a, b, read!)).toEqual(inclusionProof(a, b, memory.read));
      expect(consistencyProof(a, b, read!)).toEqual(consistencyProof(a, b, memory.read));
    }
  }
}

/** The log as a follower reads it, recording what its subscriptions deliver. */
export function counted(events: EventStore): { log: EventStore; delivered: RecordedEvent[] } {
  const delivered: RecordedEvent[] = [];
  const log: EventStore = Object.create(events, {
    subscribeToAll: {
      value: (options: SubscriptionOptions) =>
        events.subscribeToAll({
          ...options,
          handler: (event) => {
            delivered.push(event);
            return options.handler(event);
          },
        }),
    },
  });
  return { log, delivered };
}
