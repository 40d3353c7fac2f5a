import { MongoClient } from 'mongodb';
import { generationName } from '../../src/read-models/read-model-schema';
import { checkpointOrigin, openCheckpoint } from '../../src/transparency/checkpoint';
import { leafInput } from '../../src/transparency/event-leaf';
import { DEFAULT_LOG_KEY_NAME } from '../../src/transparency/log-key';
import { CompactRange, leafHash, verifyInclusion } from '../../src/transparency/merkle-tree';
import { parseVerifierKey } from '../../src/transparency/signed-note';
import { call, Journey, type TestAgent } from '../support/api-client';
import { dropMongoDatabase, throwawayDatabaseUrl } from '../support/mongo-database';
import { startTestServer, type TestServer } from '../support/test-server';
import { waitFor } from '../notifications/support/wait-for';
import { exportLines, signedLog, type ExportLine } from './signed-export';

const stores: [string, (name: string) => Record<string, string>][] = [['embedded SQLite', () => ({})]];
if (process.env.MONGODB_URL) {
  stores.push(['MongoDB', (name) => ({ MONGODB_URL: throwawayDatabaseUrl(process.env.MONGODB_URL!, name) })]);
} else console.log('SKIPPED: inclusion proofs by event id with the MongoDB read models and node store, MONGODB_URL is not set');

const hash = (text: string): Buffer => Buffer.from(text, 'base64');
const inclusion = (server: TestServer, agent: TestAgent, query: string) => call(server, 'GET', `/v1/orgs/${agent.orgId}/audit-log/inclusion?${query}`, agent.token);

/**
 * An auditor holding one audit record asks the server to prove that this event is in the org's
 * signed log by its event id alone: the answer names its index and verifies offline against the
 * signed checkpoint, with the leaf computed from the record by the README's leaf rule.
 */
describe.each(stores)('inclusion proof by event id (%s)', (_name, storeEnv) => {
  let server: TestServer;
  const env = storeEnv('ztkeys_e2e_by_event_id');
  beforeAll(async () => {
    server = await startTestServer({ LOG_CHECKPOINT_DELAY_MS: '50', ...env });
  });
  afterAll(async () => {
    await server.close();
    if (env.MONGODB_URL) await dropMongoDatabase(env.MONGODB_URL);
  });

  async function newOrg(superAdmin: string) {
    const journey = new Journey(server);
    const admin = await journey.createOrg(superAdmin);
    return { journey, admin, auditor: await journey.addAgent(admin, 'erin', 'AUDITOR') };
  }

  /** The org's export and checkpoint once both cover every event up to the adding of `lastAgent`. */
  async function signed({ admin, auditor }: { admin: TestAgent; auditor: TestAgent }, lastAgent: string) {
    const key = parseVerifierKey((await call(server, 'GET', '/v1/log-key')).body as string);
    const isLast = (line: ExportLine) => line.type === 'AgentAdded' && line.data.agentId === lastAgent;
    const { lines, leaves, note } = await signedLog(server, auditor, (events) => events.some(isLast));
    return { admin, auditor, records: lines, leaves, note, checkpoint: openCheckpoint(note, key, checkpointOrigin(DEFAULT_LOG_KEY_NAME, admin.orgId)) };
  }

  async function signedOrg(superAdmin: string) {
    const org = await newOrg(superAdmin);
    for (const agentId of ['bob', 'carol', 'dave']) await org.journey.addAgent(org.admin, agentId);
    return signed(org, 'dave');
  }

  it("answers each event's index, leaf hash and audit path, which verify against the signed checkpoint it carries", async () => {
    // Two orgs' events interleaved in the log, and a checkpoint line between an org's leaves: neither counts in its index.
    const orgs = [await newOrg('alice'), await newOrg('oscar')];
    for (const agentId of ['bob', 'carol']) for (const org of orgs) await org.journey.addAgent(org.admin, agentId);
    // Each org's first checkpoint before its next events: a checkpoint line between its leaves, whatever the checkpointer's timing.
    for (const org of orgs) await signed(org, 'carol');
    for (const agentId of ['dave', 'frank']) for (const org of orgs) await org.journey.addAgent(org.admin, agentId);
    for (const org of orgs) {
      const { auditor, records, leaves, checkpoint, note } = await signed(org, 'frank');
      const types = records.map((record) => record.type);
      expect(types.indexOf('CheckpointSigned')).toBeLessThan(types.lastIndexOf('AgentAdded'));
      for (const [index, record] of leaves.entries()) {
        const reply = await inclusion(server, auditor, `eventId=${record.eventId as string}`);
        expect(reply.status).toBe(200);
        expect(reply.body).toMatchObject({ eventId: record.eventId, index, size: checkpoint.size, checkpoint: note });
        // The auditor's own leaf of the record: the README's rule, not the server's hash.
        const leaf = leafHash(leafInput(record as never));
        expect(hash(reply.body.leafHash)).toEqual(leaf);
        expect(verifyInclusion(leaf, index, checkpoint.size, reply.body.proof.map(hash), checkpoint.rootHash)).toBe(true);
      }
    }
  });

  it('proves an event in a smaller tree asked with `size`, against the root of that tree', async () => {
    const { auditor, leaves } = await signedOrg('frank');
    const tree = CompactRange.empty();
    for (const record of leaves.slice(0, 3)) tree.append(leafHash(leafInput(record as never)));
    const reply = await inclusion(server, auditor, `eventId=${leaves[1].eventId as string}&size=3`);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ index: 1, size: 3 });
    expect(verifyInclusion(hash(reply.body.leafHash), 1, 3, reply.body.proof.map(hash), tree.root())).toBe(true);
  });

  it('refuses, writing nothing, what has no leaf in the signed tree or is not the caller\'s, and queries naming the leaf twice or not at all', async () => {
    const { auditor, records, leaves, checkpoint } = await signedOrg('grace');
    const other = await signedOrg('heidi');
    const checkpointLine = records.find((record) => record.type === 'CheckpointSigned')!;
    const last = leaves.length - 1;
    const head = await server.eventStore.headPosition();
    const refusals: Array<[string, number, string]> = [
      ['eventId=0193c3a0-0000-7000-8000-000000000001', 404, 'EVENT_NOT_FOUND'],
      [`eventId=${other.leaves[0].eventId as string}`, 404, 'EVENT_NOT_FOUND'],
      [`eventId=${checkpointLine.eventId as string}`, 400, 'NOT_A_LEAF'],
      [`eventId=${leaves[last].eventId as string}&size=${last}`, 400, 'EVENT_AFTER_SIZE'],
      [`eventId=${leaves[0].eventId as string}&size=${checkpoint.size + 1}`, 400, 'INVALID_TREE_SIZE'],
      [`eventId=${leaves[0].eventId as string}&index=0&size=1`, 400, 'INDEX_OR_EVENT_ID'],
      ['size=1', 400, 'INDEX_OR_EVENT_ID'],
      ['', 400, 'INDEX_OR_EVENT_ID'],
      ['index=0', 400, 'INVALID_TREE_SIZE'],
      ['eventId=a%20b', 400, 'INVALID_INPUT'],
      [`eventId=${leaves[0].eventId as string}&size=0`, 400, 'INVALID_INPUT'],
    ];
    for (const [query, status, code] of refusals) {
      const reply = await inclusion(server, auditor, query);
      expect([query, reply.status, reply.contentType, reply.body.code]).toEqual([query, status, expect.stringContaining('application/problem+json'), code]);
    }
    // Another org's event reads exactly as an unknown one (R14): the same words, its id aside.
    const unknown = await inclusion(server, auditor, 'eventId=0193c3a0-0000-7000-8000-000000000001');
    const foreign = await inclusion(server, auditor, `eventId=${other.leaves[0].eventId as string}`);
    expect(foreign.body.detail.replace(String(other.leaves[0].eventId), 'ID')).toBe(unknown.body.detail.replace('0193c3a0-0000-7000-8000-000000000001', 'ID'));
    expect(await server.eventStore.headPosition()).toEqual(head);
  });

  // Embedded, the audit trail is the log's own table, whose tampering the server's self-check finds.
  (env.MONGODB_URL ? it : it.skip)('serves no proof, but a 503, for a record the read model altered or an index it miscounts', async () => {
    const { auditor, leaves } = await signedOrg('ivan');
    const client = await MongoClient.connect(env.MONGODB_URL);
    try {
      const trail = client.db().collection<{ _id: string }>(generationName('audit_log', await server.readModels.activeGeneration('audit-log')));
      const ask = () => inclusion(server, auditor, `eventId=${leaves[2].eventId as string}`);
      expect((await ask()).status).toBe(200);
      // The record altered: its leaf is not the one the checkpoint signs at its index.
      await trail.updateOne({ _id: leaves[2].eventId as string }, { $set: { 'data.displayName': 'Mallory' } });
      expect([(await ask()).status, (await ask()).body.code]).toEqual([503, 'STORE_UNAVAILABLE']);
      await trail.updateOne({ _id: leaves[2].eventId as string }, { $set: { 'data.displayName': (leaves[2].data as { displayName: string }).displayName } });
      // An earlier record gone: the count gives index 1, whose signed leaf is another event's.
      const first = await trail.findOneAndDelete({ _id: leaves[0].eventId as string });
      expect([(await ask()).status, (await ask()).body.code]).toEqual([503, 'STORE_UNAVAILABLE']);
      await trail.insertOne(first!);
      const reply = await ask();
      expect([reply.status, reply.body.index]).toEqual([200, 2]);
    } finally {
      await client.close();
    }
  });
});

describe.each(stores)('inclusion proof by event id before any checkpoint (%s)', (_name, storeEnv) => {
  let server: TestServer;
  let env: Record<string, string>;
  beforeAll(async () => {
    env = storeEnv('ztkeys_e2e_by_event_id_unsigned');
    // The suites' default: checkpoints a day after a growth, so none is signed during the test.
    server = await startTestServer(env);
  });
  afterAll(async () => {
    await server.close();
    if (env.MONGODB_URL) await dropMongoDatabase(env.MONGODB_URL);
  });

  it('refuses an event no checkpoint covers yet, saying a later one will', async () => {
    const journey = new Journey(server);
    const admin = await journey.createOrg('alice');
    // The read models follow the log: MongoDB's a moment later.
    const records = await waitFor('the org in the audit trail', async () => {
      const exported = await exportLines(server, admin);
      return exported.length > 0 && exported;
    });
    const reply = await inclusion(server, admin, `eventId=${records[0].eventId as string}`);
    expect([reply.status, reply.contentType, reply.body.code]).toEqual([409, expect.stringContaining('application/problem+json'), 'EVENT_NOT_SIGNED_YET']);
  });
});
