/**
 * The child of transparencyHeapBench: the transparency thread as the server starts it
 * (transparency-thread.ts: the Merkle follower and the checkpointer at the default bounds), and
 * on this main thread the API's connection to the log, which appends the orgs the parent asks
 * for (an org's creation and two more events each, in its stream). It answers once the thread
 * stored the log's head and the log stood still for a checkpoint delay and a half (every org's
 * checkpoint appended), so that the parent reads the thread's heap at rest.
 */
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { readEnvironment } from '../../src/config/environment';
import type { NewEvent } from '../../src/event-store/event-store.port';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { startTransparencyOnThread } from '../../src/runtime/transparency-thread';
import { SqliteMerkleNodeStore } from '../../src/transparency/node-store/sqlite-merkle-node-store';
import { orgStream } from '../../src/domain/streams';
import { logKeyOf } from '../../src/transparency/log-key';
import { signerFromSeed } from '../../src/transparency/signed-note';
import { newId } from '../../src/shared/ids';

const EVENTS_AN_ORG = 3;
const dir = process.argv[2];
const env = readEnvironment({});
const STILL_MS = env.LOG_CHECKPOINT_DELAY_MS * 1.5;

const event = (type: string, orgId: string, data: Record<string, unknown>): NewEvent => {
  const id = newId();
  return { id, type, schemaVersion: 1, data, metadata: { actor: 'a-0', orgId, occurredAt: new Date().toISOString(), correlationId: id, causationId: id } };
};

const orgEvents = (orgId: string): NewEvent[] => [
  event('OrganizationCreated', orgId, { orgId, name: orgId, policy: {}, superAdminId: 'a-0' }),
  ...Array.from({ length: EVENTS_AN_ORG - 1 }, (_, i) => event('AgentAdded', orgId, { agentId: `a-${i + 1}`, role: 'MEMBER' })),
];

async function main(): Promise<void> {
  const eventLogPath = join(dir, 'events.sqlite');
  const events = new SqliteEventStore({ path: eventLogPath });
  const merkleNodesPath = join(dir, 'merkle-nodes.sqlite');
  // Made here, as the server's process makes it before its thread starts (the thread never makes a file).
  await new SqliteMerkleNodeStore({ path: merkleNodesPath }).close();
  let followed: bigint | undefined;
  const transparency = startTransparencyOnThread({
    eventLogPath,
    merkleNodesPath,
    logKey: logKeyOf(signerFromSeed('bench.local/audit-log', randomBytes(32))),
    settings: {
      checkpoints: true,
      checkpointDelayMs: env.LOG_CHECKPOINT_DELAY_MS,
      checkpointIdleMs: env.LOG_CHECKPOINT_IDLE_MS,
      orgsInMemory: env.LOG_ORGS_IN_MEMORY,
      selfCheckIntervalMs: env.LOG_SELF_CHECK_INTERVAL_MS,
    },
  })({
    onChecked: () => undefined,
    onFollowed: (position) => (followed = position),
    onError: (part, error) => console.error(part, error),
    onStalled: (stall) => console.error('stalled', stall),
  });
  const settled = async () => {
    for (let head = await events.headPosition(); ; ) {
      await sleep(STILL_MS);
      const now = await events.headPosition();
      if (now === head && followed === now) return;
      head = now;
    }
  };
  process.on('message', async (message: { orgs: number } | 'stop') => {
    if (message === 'stop') {
      await transparency.stop();
      await events.close();
      return process.disconnect();
    }
    // Each org in a commit of its own, as the API's requests append them.
    for (let done = 0; done < message.orgs; done += 500) {
      const orgs = Array.from({ length: Math.min(500, message.orgs - done) }, () => newId());
      await Promise.all(orgs.map((orgId) => events.append([{ stream: orgStream(orgId), expected: 'no_stream', events: orgEvents(orgId) }])));
    }
    await settled();
    process.send!('settled');
  });
  await settled();
  process.send!('settled');
}

void main();
