import { setImmediate } from 'node:timers/promises';
import { decode } from '../domain/events/decode';
import { orgStream } from '../domain/streams';
import type { EventStore, RecordedEvent } from '../event-store/event-store.port';
import { eventLeafInput } from './event-leaf';
import { checkpointStream } from '../domain/streams';
import { DEFAULT_PENDING_WINDOW, openCheckpointEvent } from './log-integrity';
import type { LogKeyring } from './log-keyring';
import { storedTreeDisagreement } from './log-self-check';
import { CompactRange, leafHash } from './merkle-tree';
import type { MerkleNodeStore, OrgTreeState } from './node-store/merkle-node-store.port';
import type { NodesAtStart } from './signing-gate';

/**
 * Most events of the log read for the orgs not signed yet: as many leaf hashes as the full check
 * keeps an org in memory (twice its window), a second or so of hashing on a loaded machine.
 */
export const TAIL_EVENTS = 2 * DEFAULT_PENDING_WINDOW;

/** Events a read takes, the event loop given back between pages (as the full check does). */
const PAGE = 250;

/** An org never signed: its whole tree, re-derived from its creation on. */
interface Tail {
  stored: OrgTreeState;
  tree: CompactRange;
  /** Position of its creation, its first event. */
  from: bigint;
}

/**
 * A check of the stored nodes bounded by the orgs rather than the log, for the checkpointer to
 * sign soon after a start instead of after the check of the whole log (O(events)). For each org
 * the node store holds, its latest checkpoint (read from its checkpoint stream, verified as the
 * full check verifies one): the stored nodes' root and the row's at its size must be the signed
 * one. An org never signed has its whole tree re-derived from the log, from its creation (the
 * first event of the org) to the position its row is stored at, in one read for every such org of
 * at most TAIL_EVENTS events, and compared at its stored size.
 *
 * Unvouched, so held until the full check: an org whose row holds an older checkpoint than the
 * latest one the store saw (seenCheckpoints); an org stored beyond its latest checkpoint (the log
 * has no index of an org's events, and the leaves right after a checkpoint may come before it in
 * the log); an org whose checkpoint does not verify or is beyond the stored tree; an org never
 * signed with more than TAIL_EVENTS leaves or more events of the log after its creation.
 * Undefined (every org held until the full check) when the store holds more than `maxOrgs` orgs.
 */
export async function checkNodesAtStart(
  events: Pick<EventStore, 'readStream' | 'readAll' | 'backlog'>,
  nodes: Pick<MerkleNodeStore, 'orgs' | 'nodes' | 'seenCheckpoints'>,
  keys: LogKeyring,
  maxOrgs: number,
  tailEvents = TAIL_EVENTS,
): Promise<NodesAtStart | undefined> {
  const states = await nodes.orgs(maxOrgs + 1);
  if (states.length > maxOrgs) return undefined;
  const seen = new Map((await nodes.seenCheckpoints()).map((checkpoint) => [checkpoint.orgId, checkpoint.revision]));
  const found: NodesAtStart = { disagreements: [], unvouched: [] };
  const tails: Tail[] = [];
  for (const stored of states) {
    const { orgId } = stored;
    // Its row holds no checkpoint as late as one the store saw: rebuilt from a log that lost it, which the full check names.
    const seenRevision = seen.get(orgId);
    if (seenRevision !== undefined && (stored.signed === undefined || stored.signed.revision < seenRevision)) {
      found.unvouched.push(orgId);
      continue;
    }
    const [latest] = (await events.readStream(checkpointStream(orgId), stored.signed?.revision ?? 0n)).slice(-1);
    if (latest) {
      const signed = signedBy(latest, keys);
      if (signed === undefined || stored.size < signed.size) found.unvouched.push(orgId);
      else {
        found.disagreements.push(...(await storedTreeDisagreement(nodes, stored, signed.size, signed.rootHash)));
        if (stored.size > signed.size) found.unvouched.push(orgId);
      }
    } else if (stored.signed !== undefined || stored.size > tailEvents) found.unvouched.push(orgId);
    else {
      const [created] = await events.readStream(orgStream(orgId), 0n);
      const tree = created && leafOf(created, orgId);
      if (tree === undefined) found.unvouched.push(orgId);
      else tails.push({ stored, tree, from: created.position });
    }
  }
  await deriveTails(events, nodes, tails, tailEvents, found);
  return found;
}

/** What the checkpoint signs, undefined when it does not verify (a fault of the log: the full check names it). */
function signedBy(record: RecordedEvent, keys: LogKeyring): { size: number; rootHash: Buffer } | undefined {
  try {
    const event = decode(record);
    if (event.type !== 'CheckpointSigned') return undefined;
    const signed = openCheckpointEvent(event, keys);
    return typeof signed === 'string' ? undefined : signed;
  } catch {
    return undefined;
  }
}

/** The org's tree over its creation, the event given; undefined when it is not the org's creation or does not decode. */
function leafOf(record: RecordedEvent, orgId: string): CompactRange | undefined {
  try {
    const event = decode(record);
    if (event.type !== 'OrganizationCreated' || event.metadata.orgId !== orgId) return undefined;
    const tree = CompactRange.empty();
    tree.append(leafHash(eventLeafInput(event)));
    return tree;
  } catch {
    return undefined;
  }
}

/**
 * The orgs never signed, re-derived in one read of the log from the earliest creation whose
 * events after it are at most `tailEvents` (those created before are unvouched), to the furthest
 * position their rows are stored at; each compared at its stored size.
 */
async function deriveTails(
  events: Pick<EventStore, 'readAll' | 'backlog'>,
  nodes: Pick<MerkleNodeStore, 'nodes'>,
  tails: Tail[],
  tailEvents: number,
  found: NodesAtStart,
): Promise<void> {
  tails.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  while (tails.length > 0 && (await events.backlog(tails[0].from, tailEvents + 1)).events > tailEvents) found.unvouched.push(tails.shift()!.stored.orgId);
  if (tails.length === 0) return;
  const byOrg = new Map(tails.map((tail) => [tail.stored.orgId, tail]));
  const end = tails.reduce((max, { stored }) => (stored.position > max ? stored.position : max), tails[0].from);
  let after = tails[0].from;
  // The log may have grown since it was counted: the read stays bounded, the orgs it did not reach unvouched.
  for (let read = 0; after < end && read <= tailEvents; read += PAGE) {
    const page = await events.readAll(after, PAGE);
    for (const record of page.filter(({ position }) => position <= end)) {
      const tail = byOrg.get(record.metadata.orgId);
      if (!tail || record.position <= tail.from || record.position > tail.stored.position || record.type === 'CheckpointSigned') continue;
      try {
        tail.tree.append(leafHash(eventLeafInput(decode(record))));
      } catch {
        // Does not decode: a fault of the log, the full check's to name.
        byOrg.delete(tail.stored.orgId);
        found.unvouched.push(tail.stored.orgId);
      }
    }
    after = page.length < PAGE ? end : page[page.length - 1].position;
    await setImmediate();
  }
  for (const { stored, tree } of byOrg.values()) {
    if (after < stored.position) found.unvouched.push(stored.orgId);
    else if (tree.size !== stored.size) found.disagreements.push(`org ${stored.orgId}: its row counts ${stored.size} leaves, the log holds ${tree.size} of its events up to the row's position`);
    else found.disagreements.push(...(await storedTreeDisagreement(nodes, stored, stored.size, tree.root())));
  }
}
