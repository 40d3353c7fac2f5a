import { EXIT } from '../../src/cli/exit-codes';
import { forgerySuite } from './forged-export';
import { signedLog, type ExportLine } from './signed-export';

const DAY_MS = 24 * 3600 * 1000;
const isoPlus = (iso: string, ms: number): string => new Date(Date.parse(iso) + ms).toISOString();

/**
 * What the server derives from the state, the caller's role or the time, and writes into an event
 * beside what was asked: a logout's previous frequency, an admin's revocation and its revoker, the
 * release of a removed agent's keys, a directory change's actor and former role, a refused task's
 * reason, a signature's signing time. The log key's holder edits one such member of a real
 * server's export and signs every checkpoint anew; `audit verify` (the built CLI) must refuse each
 * edit at its line (exit 6), by the deciders' own decide at that point.
 */
describe('audit verify: what the server derives from the state at that point is what the deciders decide there', () => {
  const { suite, resigned, verify, expectRefused } = forgerySuite('decided');
  let lines: ExportLine[];
  let orgId: string;

  beforeAll(async () => {
    const alice = await suite.journey.createOrg('alice');
    await suite.journey.requestKey(alice);
    const carol = await suite.journey.addAgent(alice, 'carol');
    await suite.journey.activeKey(carol, alice);
    // Dave removed, Erin made an AUDITOR: each with an ACTIVE key, which the change releases.
    const dave = await suite.journey.addAgent(alice, 'dave');
    await suite.journey.activeKey(dave, alice);
    expect((await suite.journey.removeAgent(alice, 'dave')).status).toBe(200);
    const erin = await suite.journey.addAgent(alice, 'erin');
    await suite.journey.activeKey(erin, alice);
    expect((await suite.journey.changeRole(alice, 'erin', 'AUDITOR')).status).toBe(200);
    // Gus's request replaced by his next one.
    const gus = await suite.journey.addAgent(alice, 'gus');
    expect((await suite.journey.requestKey(gus)).status).toBe(201);
    expect((await suite.journey.requestKey(gus, { replacePending: true })).status).toBe(201);
    // Carol's key revoked by Alice.
    expect((await suite.journey.revokeKey(alice, 'carol')).status).toBe(200);
    // Alice's laptop: DAILY, a task signed, logged out; her desk: a task refused for want of a signature.
    expect((await suite.journey.setPromptFrequency(alice, 'laptop', 'DAILY')).status).toBe(200);
    expect((await suite.journey.sensitiveTask(alice, 'laptop', 'export', alice.key)).body).toMatchObject({ method: 'SIGNATURE' });
    expect((await suite.journey.logout(alice, 'laptop')).status).toBe(200);
    expect((await suite.journey.sensitiveTask(alice, 'desk', 'wipe')).status).toBe(401);
    ({ lines } = await signedLog(suite.server, alice));
    orgId = alice.orgId;
  });
  /** The index of the first line of `type` about `agentId` (and matching `where`). */
  const at = (type: string, agentId: string, where: (data: Record<string, any>) => boolean = () => true): number =>
    lines.findIndex((line) => line.type === type && line.data.agentId === agentId && where(line.data));
  /** The export with line `index` edited, every checkpoint signed anew. */
  const edited = (index: number, edit: (line: ExportLine) => ExportLine): ExportLine[] => resigned(lines.map((line, i) => (i === index ? edit(line) : line)), orgId);
  const withData = (index: number, change: Record<string, unknown>): ExportLine[] => edited(index, (line) => ({ ...line, data: { ...line.data, ...change } }));

  it('verifies the export as the server wrote it, and signed anew unchanged', async () => {
    expect(lines[at('PromptFrequencyChanged', 'alice', (data) => data.reason === 'LOGOUT')].data.previous).toBe('DAILY');
    expect(await verify('genuine', lines)).toEqual({ code: EXIT.OK, failure: undefined });
    expect(await verify('resigned', resigned(lines, orgId))).toEqual({ code: EXIT.OK, failure: undefined });
  });

  it('refuses a logout whose previous frequency or frequency is not the one the browser decider writes there, and one recorded for another actor', async () => {
    const logout = at('PromptFrequencyChanged', 'alice', (data) => data.reason === 'LOGOUT');
    const expected = 'its decider decides PromptFrequencyChanged {"agentId":"alice","browserId":"laptop","frequency":"EVERY_TASK","previous":"DAILY","reason":"LOGOUT"}';
    await expectRefused('logout', [
      ['previous', withData(logout, { previous: 'WEEKLY' }), logout, expected],
      ['frequency', withData(logout, { frequency: 'WEEKLY' }), logout, expected],
      ['actor', edited(logout, (line) => ({ ...line, actor: 'carol' })), logout, 'recorded for "carol"'],
    ]);
  });

  it('refuses an admin\'s revocation whose revoker was no ADMIN or SUPER_ADMIN of the org then, or not its actor, and a release of keys no directory change released', async () => {
    const revoked = at('KeyRevoked', 'carol');
    const removed = at('KeyRevoked', 'dave');
    const audited = at('KeyRevoked', 'erin');
    const byCarol = (line: ExportLine): ExportLine => ({ ...line, actor: 'carol', data: { ...line.data, revokedBy: 'carol' } });
    await expectRefused('revoked', [
      ['by-a-member', edited(revoked, byCarol), revoked, 'NOT_AN_APPROVER'],
      ['by-a-stranger', edited(revoked, (line) => ({ ...line, actor: 'zoe', data: { ...line.data, revokedBy: 'zoe' } })), revoked, '"zoe" was not in the org'],
      ['revoker-not-actor', withData(revoked, { revokedBy: 'erin' }), revoked, 'recorded for "alice"'],
      ['as-removed', withData(revoked, { reasonCode: 'AGENT_REMOVED' }), revoked, 'no directory change released'],
      ['removal-revoker', withData(removed, { revokedBy: 'carol' }), removed, '"revokedBy":"alice"'],
      ['removal-reason', withData(removed, { reason: 'Gone' }), removed, 'its decider decides KeyRevoked {"agentId":"dave","fingerprint":'],
      ['auditor-as-removed', withData(audited, { reasonCode: 'AGENT_REMOVED' }), audited, 'released for AGENT_REMOVED, but no directory change released them for it'],
    ]);
  });

  /** The export without line `index`, its stream's later revisions one down, every checkpoint signed anew; and the index of the leaf that took its place. */
  const dropped = (index: number): [ExportLine[], number] => {
    const { stream, revision } = lines[index];
    const rest = lines.filter((_, i) => i !== index).map((line) => (line.stream === stream && line.revision > revision ? { ...line, revision: line.revision - 1 } : line));
    return [resigned(rest, orgId), rest.findIndex((line, i) => i >= index && line.type !== 'CheckpointSigned')];
  };

  it('refuses a directory change whose release of the agent\'s keys is missing from its commit', async () => {
    const [removal, afterRemoval] = dropped(at('KeyRevoked', 'dave'));
    const [demotion, afterDemotion] = dropped(at('KeyRevoked', 'erin'));
    await expectRefused('release-dropped', [
      ['removal', removal, afterRemoval, 'the directory change just before released the keys of "dave" (1 event(s) of it left)'],
      ['demotion', demotion, afterDemotion, 'the directory change just before released the keys of "erin" (1 event(s) of it left)'],
    ]);
  });

  it('refuses a directory change the organization decider does not decide there: by an actor who was no SUPER_ADMIN, or naming another former role', async () => {
    const added = at('AgentAdded', 'erin');
    const changed = at('AgentRoleChanged', 'erin');
    const removed = at('AgentRemoved', 'dave');
    await expectRefused('directory', [
      ['added-by-a-member', edited(added, (line) => ({ ...line, actor: 'carol' })), added, 'NOT_SUPER_ADMIN'],
      ['changed-by-a-member', edited(changed, (line) => ({ ...line, actor: 'carol' })), changed, 'NOT_SUPER_ADMIN'],
      ['changed-from', withData(changed, { from: 'ADMIN' }), changed, '"from":"MEMBER"'],
      ['removed-role', withData(removed, { role: 'ADMIN' }), removed, '"role":"MEMBER"'],
    ]);
  });

  it('refuses a key claimed for another request than the one that asked for it, a first key assigned to another request than the FIRST_KEY, and a request cancelled for a new one by another than its agent', async () => {
    const claim = lines.findIndex((line) => line.type === 'PublicKeyClaimed' && line.data.agentId === 'carol');
    const firstKey = lines.findIndex((line) => line.type === 'FirstKeyAssigned');
    const cancelled = at('KeyRequestCancelled', 'gus');
    const carols = lines[at('KeyRequested', 'carol')].data.requestId as string;
    const alices = lines[at('KeyRequested', 'alice')].data.requestId as string;
    await expectRefused('requests', [
      ['claim-request', withData(claim, { requestId: alices }), claim, `is claimed by request ${alices} of "carol", which is no request of that key`],
      ['first-key-request', withData(firstKey, { requestId: carols }), firstKey, `assigned to request ${carols} of "alice", which is not the FIRST_KEY approved`],
      ['first-key-agent', edited(firstKey, (line) => ({ ...line, subject: 'carol', data: { ...line.data, agentId: 'carol' } })), firstKey, 'which is not the FIRST_KEY approved'],
      ['cancelled-by', withData(cancelled, { cancelledBy: 'alice' }), cancelled, 'is cancelled by a new request, but by "alice"'],
    ]);
  });

  it('refuses a refused task whose reason is not the one the browser decider gives there', async () => {
    const refusedTask = at('SensitiveTaskRefused', 'alice');
    expect(lines[refusedTask].data.reason).toBe('PROMPT_REQUIRED');
    await expectRefused('refused', [
      ['no-active-key', withData(refusedTask, { reason: 'NO_ACTIVE_KEY' }), refusedTask, 'NO_ACTIVE_KEY'],
      ['auditor', withData(refusedTask, { reason: 'AUDITOR_CANNOT_HOLD_KEY' }), refusedTask, 'AUDITOR_CANNOT_HOLD_KEY'],
    ]);
  });

  it('refuses a signature whose signing time is after the time it was recorded at, even where its challenge was alive then', async () => {
    const task = at('SensitiveTaskAuthorized', 'alice', (data) => data.method === 'SIGNATURE');
    const set = at('PromptFrequencyChanged', 'alice', (data) => data.reason === 'SET');
    const { occurredAt } = lines[task];
    expect([lines[task].data.signedAt, lines[set].data.signedAt]).toEqual([occurredAt, lines[set].occurredAt]);
    const later = isoPlus(occurredAt, 60_000);
    const setLater = isoPlus(lines[set].occurredAt, 90_000);
    await expectRefused('signed-at', [
      ['task-later', withData(task, { signedAt: later, validUntil: isoPlus(later, DAY_MS) }), task, `signed at ${later}, after ${occurredAt}`],
      ['set-later', withData(set, { signedAt: setLater }), set, `signed at ${setLater}, after ${lines[set].occurredAt}`],
    ]);
  });
});
