import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/exit-codes';
import { ProfileStore } from '../../src/cli/profile-store';
import { runInHome } from '../cli/support/run-in-home';
import { call, Journey, type TestAgent } from '../support/api-client';
import { startTestServer, type TestServer } from '../support/test-server';
import { signedLog } from './signed-export';

/**
 * `ztkeys audit prove RECORD`: an auditor holding one audit record asks the server for its
 * inclusion proof by event id and checks it here, with the leaf computed from the record and the
 * checkpoint witnessed under the pinned log key; the exit code says whether it is proven.
 */
describe('ztkeys audit prove', () => {
  let server: TestServer;
  let auditor: TestAgent;
  let home: string;
  let records: Array<Record<string, unknown>>;

  const ztkeys = (...argv: string[]) => runInHome(home, argv);
  const recordFile = (name: string, record: unknown): string => {
    const path = join(home, name);
    writeFileSync(path, typeof record === 'string' ? record : JSON.stringify(record));
    return path;
  };

  beforeAll(async () => {
    server = await startTestServer({ LOG_CHECKPOINT_DELAY_MS: '50' });
    home = mkdtempSync(join(tmpdir(), 'ztkeys-prove-home-'));
    const journey = new Journey(server);
    const admin = await journey.createOrg('alice');
    await journey.addAgent(admin, 'bob');
    auditor = await journey.addAgent(admin, 'erin', 'AUDITOR');
    new ProfileStore(home).save('default', { apiUrl: server.url, token: auditor.token, orgId: auditor.orgId, agentId: auditor.agentId });
    records = (await signedLog(server, auditor)).lines;
  });
  afterAll(async () => {
    await server.close();
    rmSync(home, { recursive: true, force: true });
  });

  const leaves = () => records.filter((record) => record.type !== 'CheckpointSigned');
  const bobAdded = () => leaves().find((record) => record.type === 'AgentAdded' && (record.data as { agentId: string }).agentId === 'bob')!;

  it('proves a line of the export and an item of the audit trail, exit 0', async () => {
    const bob = bobAdded();
    const [index, size] = [leaves().indexOf(bob), leaves().length];
    const proven = await ztkeys('audit', 'prove', recordFile('bob.json', bob));
    expect(proven).toMatchObject({ code: EXIT.OK, stderr: '' });
    expect(proven.stdout).toMatch(new RegExp(`^Proven: event ${bob.eventId as string} \\(AgentAdded\\) is leaf ${index} of the org's log, in the checkpoint of ${size} events signed at \\d{4}-`));

    const items = (await call(server, 'GET', `/v1/orgs/${auditor.orgId}/audit-log?type=AgentAdded`, auditor.token)).body.items as Array<Record<string, unknown>>;
    const item = items.find((entry) => entry.eventId === bob.eventId)!;
    const json = await ztkeys('audit', 'prove', recordFile('item.json', item), '--json');
    expect(json.code).toBe(EXIT.OK);
    expect(JSON.parse(json.stdout)).toMatchObject({ proven: true, eventId: bob.eventId, index, size });
  });

  it('reads past what an editor adds to the file: a byte order mark, CRLF line ends, a last newline (as audit verify does)', async () => {
    const bob = bobAdded();
    const edited = `\ufeff${JSON.stringify(bob, null, 2).replace(/\n/g, '\r\n')}\r\n`;
    const proven = await ztkeys('audit', 'prove', recordFile('edited.json', edited));
    expect(proven).toMatchObject({ code: EXIT.OK, stderr: '' });
    expect(proven.stdout).toContain(`Proven: event ${bob.eventId as string} (AgentAdded)`);
  });

  it('exits 5 for a record altered after the fact, 3 for what the server has no leaf of, 2 for a file that is no record', async () => {
    const bob = bobAdded();
    const altered = await ztkeys('audit', 'prove', recordFile('altered.json', { ...bob, data: { ...(bob.data as object), email: 'mallory@example.com' } }));
    expect(altered.code).toBe(EXIT.CHECK_FAILED);
    expect(altered.stderr).toContain(`NOT PROVEN: the server's proof for event ${bob.eventId as string} (leaf ${leaves().indexOf(bob)})`);

    expect((await ztkeys('audit', 'prove', recordFile('unknown.json', { ...bob, eventId: '0193c3a0-0000-7000-8000-000000000001' }))).code).toBe(EXIT.REFUSED);
    const checkpointLine = records.find((record) => record.type === 'CheckpointSigned')!;
    const noLeaf = await ztkeys('audit', 'prove', recordFile('checkpoint.json', checkpointLine));
    expect([noLeaf.code, noLeaf.stderr]).toEqual([EXIT.REFUSED, expect.stringContaining('is a checkpoint line')]);

    // The leaf covers the last value of a member named twice (JSON.parse), which a reader of the file keeping the first would not see.
    const twice = JSON.stringify(bob).replace('"data":{', '"data":{"role":"SUPER_ADMIN",');
    const named = await ztkeys('audit', 'prove', recordFile('twice.json', twice));
    expect([named.code, named.stderr]).toEqual([EXIT.USAGE, expect.stringContaining('names "role" twice in one object')]);
    // JSON.parse reads 1.0000000000000001 as 1, which the leaf covers; a reader keeping its digits would see another record proven.
    const spelled = JSON.stringify(bob).replace('"schemaVersion":1', '"schemaVersion":1.0000000000000001');
    const digits = await ztkeys('audit', 'prove', recordFile('spelled.json', spelled));
    expect([digits.code, digits.stderr]).toEqual([EXIT.USAGE, expect.stringContaining('writes the number 1.0000000000000001 otherwise than canonical JSON writes it (1)')]);
    // The leaf leaves orgId out (the checkpoint's origin names the org): a record naming another org is not the one proven.
    const elsewhere = await ztkeys('audit', 'prove', recordFile('elsewhere.json', { ...bob, orgId: 'another-org' }));
    expect([elsewhere.code, elsewhere.stderr]).toEqual([EXIT.CHECK_FAILED, expect.stringContaining(`NOT PROVEN: the record is of org another-org, not of org ${auditor.orgId}`)]);
    expect((await ztkeys('audit', 'prove', recordFile('here.json', { ...bob, orgId: auditor.orgId }))).code).toBe(EXIT.OK);

    for (const text of ['[]', '{"type":"AgentAdded"}', 'not json']) expect((await ztkeys('audit', 'prove', recordFile('bad.json', text))).code).toBe(EXIT.USAGE);
    expect((await ztkeys('audit', 'prove', join(home, 'missing.json'))).code).toBe(EXIT.USAGE);
  });
});
