import type { EventStore } from '../../../src/event-store/event-store.port';
import { MerkleFollower } from '../../../src/transparency/merkle-follower';
import type { MerkleNodeStore } from '../../../src/transparency/node-store/merkle-node-store.port';

/** A follower stores the log's nodes up to its head and stops, as a server that stopped: the next start finds them in the store. */
export async function followToHead(events: EventStore, nodes: MerkleNodeStore): Promise<void> {
  const follower = new MerkleFollower(events, nodes);
  await follower.start();
  await follower.whenCaughtUp();
  const head = await events.headPosition();
  while (follower.position !== head) await new Promise((resolve) => setTimeout(resolve, 10));
  await follower.stop();
}
