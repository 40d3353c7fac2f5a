import { EXIT } from '../../src/cli/exit-codes';
import { forgerySuite, type Forgery } from './forged-export';
import { signedLog, type ExportLine } from './signed-export';

/**
 * R8 as the log records it: a request names the ACTIVE key it would replace, and the approval that
 * activates it revokes that key (REPLACED) just before. The log key's holder edits a real server's
 * export and signs every checkpoint anew; `audit verify` (the built CLI) must refuse each edit.
 */
describe('audit verify: a key replacement is the one the state at that point gives', () => {
  const { suite, resigned, verify, expectRefused } = forgerySuite('replacement');
  let lines: ExportLine[];
  let orgId: string;

  beforeAll(async () => {
    const admin = await suite.journey.createOrg('alice');
    await suite.journey.requestKey(admin);
    const bob = await suite.journey.addAgent(admin, 'bob');
    // Bob's first key (no key to replace), then his second, which replaces it.
    await suite.journey.activeKey(bob, admin);
    await suite.journey.activeKey(bob, admin);
    // Carol's key, revoked by an admin.
    const carol = await suite.journey.addAgent(admin, 'carol');
    await suite.journey.activeKey(carol, admin);
    expect((await suite.journey.revokeKey(admin, 'carol')).status).toBe(200);
    // Dave's request locked by five wrong codes, then his next one; Erin's request replaced by another.
    const dave = await suite.journey.addAgent(admin, 'dave');
    const locked = await suite.journey.requestKey(dave);
    for (let attempt = 0; attempt < 5; attempt++) expect((await suite.journey.decide(admin, locked.body.requestId, 'APPROVE', { verificationCode: '000-000-000-000-000' })).status).toBe(422);
    expect((await suite.journey.requestKey(dave)).status).toBe(201);
    const erin = await suite.journey.addAgent(admin, 'erin');
    expect((await suite.journey.requestKey(erin)).status).toBe(201);
    expect((await suite.journey.requestKey(erin, { replacePending: true })).status).toBe(201);
    // Gina's key revoked by an admin while her request to replace it waits, then that request rejected.
    const gina = await suite.journey.addAgent(admin, 'gina');
    await suite.journey.activeKey(gina, admin);
    const replacement = await suite.journey.requestKey(gina);
    expect((await suite.journey.revokeKey(admin, 'gina')).status).toBe(200);
    expect((await suite.journey.decide(admin, replacement.body.requestId, 'REJECT')).status).toBe(200);
    ({ lines } = await signedLog(suite.server, admin));
    orgId = admin.orgId;
  });
  const at = (type: string, agentId: string, nth = 0): number => lines.map((line, index) => (line.type === type && line.data.agentId === agentId ? index : -1)).filter((index) => index >= 0)[nth];
  /** The export with line `index`'s data edited, every checkpoint signed anew. */
  const edited = (index: number, edit: (data: Record<string, any>) => Record<string, any>): ExportLine[] =>
    resigned(lines.map((line, i) => (i === index ? { ...line, data: edit({ ...line.data }) } : line)), orgId);
  /** The export without line `index`, its stream's later revisions one down, every checkpoint signed anew. */
  const dropped = (index: number, edit: (line: ExportLine) => ExportLine = (line) => line): ExportLine[] => {
    const { stream, revision } = lines[index];
    const rest = lines.filter((_, i) => i !== index).map((line) => (line.stream === stream && line.revision > revision ? { ...line, revision: line.revision - 1 } : line));
    return resigned(rest.map(edit), orgId);
  };

  it('verifies the export as the server wrote it', async () => {
    expect(lines[at('KeyRequested', 'bob', 1)].data.replacesFingerprint).toBe(lines[at('KeyApproved', 'bob', 0)].data.fingerprint);
    expect(lines[at('KeyRevoked', 'bob')].data.reasonCode).toBe('REPLACED');
    expect(await verify('genuine', lines)).toEqual({ code: EXIT.OK, failure: undefined });
  });

  it('refuses a key request whose replacesFingerprint is not the ACTIVE key of its agent at that point: added where none was ACTIVE, dropped, or naming another key', async () => {
    const first = at('KeyRequested', 'bob', 0);
    const second = at('KeyRequested', 'bob', 1);
    const alicesKey = lines[at('KeyApproved', 'alice')].data.fingerprint as string;
    const bobsFirst = lines[at('KeyApproved', 'bob', 0)].data.fingerprint as string;
    const forgeries: Forgery[] = [
      ['added', edited(first, (data) => ({ ...data, replacesFingerprint: alicesKey })), first, `says it replaces key ${alicesKey}, but "bob" held no ACTIVE key at that point`],
      ['dropped', edited(second, ({ replacesFingerprint: _, ...data }) => data), second, `says it replaces no key, but "bob" held key ${bobsFirst} ACTIVE at that point`],
      ['another', edited(second, (data) => ({ ...data, replacesFingerprint: alicesKey })), second, `says it replaces key ${alicesKey}, but "bob" held key ${bobsFirst} ACTIVE at that point`],
    ];
    await expectRefused('replaces', forgeries);
  });

  it('refuses an approval that leaves out the revocation of the ACTIVE key it replaced, and a REPLACED revocation no approval replaces, or whose reason or revoker is not the approval\'s', async () => {
    const revoked = at('KeyRevoked', 'bob');
    const approved = at('KeyApproved', 'bob', 1);
    const bobsFirst = lines[revoked].data.fingerprint as string;
    const carols = at('KeyRevoked', 'carol');
    const forgeries: Forgery[] = [
      // The revocation dropped, and the request's replacesFingerprint too: no trace of the replacement left.
      ['revocation-dropped', dropped(revoked, (line) => (line.type === 'KeyRequested' && line.data.replacesFingerprint === bobsFirst ? { ...line, data: { ...line.data, replacesFingerprint: undefined } } : line)), at('KeyRequested', 'bob', 1), 'says it replaces no key'],
      ['revocation-only-dropped', dropped(revoked), approved - 1, `was approved while key ${bobsFirst} was ACTIVE`],
      ['reason', edited(revoked, (data) => ({ ...data, reason: 'Replaced by key 00' })), approved, `key ${bobsFirst} was revoked with {"agentId":"bob","fingerprint":"${bobsFirst}","reason":"Replaced by key 00",`],
      ['revokedBy', edited(revoked, (data) => ({ ...data, revokedBy: 'bob' })), approved, `"revokedBy":"bob"}, but the approval of request ${lines[approved].data.requestId} revokes it with {`],
      ['admin-revocation-as-replaced', edited(carols, (data) => ({ ...data, reasonCode: 'REPLACED', reason: 'Replaced by key 00' })), carols, `is revoked as REPLACED, but "carol" had no PENDING request: no approval replaces it`],
      // Gina had a request PENDING, which was rejected next, not approved.
      ['replaced-then-rejected', edited(at('KeyRevoked', 'gina'), (data) => ({ ...data, reasonCode: 'REPLACED', reason: 'Replaced by key 00' })), at('KeyRejected', 'gina'), `was revoked as REPLACED, but the next event of "gina"'s keys is KeyRejected, not the approval that replaces it`],
    ];
    await expectRefused('revoked', forgeries);
  });

  it('refuses a request left PENDING where the decider ended it in the same commit: its lock after the fifth wrong code, its cancellation by the next request', async () => {
    const lock = at('KeyRequestLocked', 'dave');
    const cancel = at('KeyRequestCancelled', 'erin');
    const { requestId: lockedId } = lines[lock].data;
    const forgeries: Forgery[] = [
      ['lock-dropped', dropped(lock), at('KeyRequested', 'dave', 1) - 1, `key request ${lockedId} had 5 wrong verification codes but the next event of "dave"'s keys is KeyRequested, not its KeyRequestLocked`],
      ['cancel-dropped', dropped(cancel), cancel, `was made while request ${lines[cancel].data.requestId} was PENDING`],
    ];
    await expectRefused('pending', forgeries);
  });
});
