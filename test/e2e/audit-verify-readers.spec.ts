import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/exit-codes';
import { parseCheckpoint, signCheckpoint } from '../../src/transparency/checkpoint';
import { CHECKPOINT_SIGNED } from '../../src/transparency/log-checkpointer';
import { parseNote, type NoteSigner } from '../../src/transparency/signed-note';
import { CLI_BUILT, runProcess } from '../cli/support/cli-process';
import { call } from '../support/api-client';
import { serverForSuite } from '../support/server-for-suite';
import { logSignerOf, resignedExport } from './resigned-export';
import { signedLog, type ExportLine } from './signed-export';

/**
 * Two readers of one export file must not disagree on what a verified line says: `audit verify`
 * (the built CLI, in its own process, as auditors run it) on a real server's export, edited.
 */
describe('audit verify: one reading of a file, whoever reads it', () => {
  const suite = serverForSuite({ LOG_CHECKPOINT_DELAY_MS: '50' });
  let work: string;
  let vkey: string;
  let signer: NoteSigner;
  let lines: ExportLine[];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'ztkeys-readers-'));
    vkey = (await call(suite.server, 'GET', '/v1/log-key')).body as string;
    signer = logSignerOf(suite.server.dataDir);
    const admin = await suite.journey.createOrg('alice');
    await suite.journey.requestKey(admin);
    const bob = await suite.journey.addAgent(admin, 'bob');
    expect((await suite.journey.setPromptFrequency(admin, 'laptop', 'DAILY')).status).toBe(200);
    // A task signed, then one remembered by the DAILY window; a key approved by another (APPROVAL).
    expect((await suite.journey.sensitiveTask(admin, 'laptop', 'export', admin.key)).body).toMatchObject({ method: 'SIGNATURE' });
    expect((await suite.journey.sensitiveTask(admin, 'laptop', 'export')).body).toMatchObject({ method: 'REMEMBERED' });
    await suite.journey.activeKey(bob, admin);
    ({ lines } = await signedLog(suite.server, admin));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** `ztkeys audit verify` on `text` written to a file, in a process of its own with `env` (TZ). */
  const verify = async (name: string, text: string, env: Record<string, string> = {}) => {
    const file = join(work, `${name}.ndjson`);
    writeFileSync(file, text);
    const { code, stdout, stderr } = await runProcess(CLI_BUILT, ['audit', 'verify', file, '--log-key', vkey, '--json'], { env: { PATH: process.env.PATH, ZTKEYS_HOME: work, ...env } });
    return { code, verdict: JSON.parse(stdout) as { ok: boolean; orgs: Array<{ checkpoints: number }>; failure?: { line: number; reason: string } }, stderr };
  };
  const fileOf = (exported: ExportLine[]): string => exported.map((line) => `${JSON.stringify(line)}\n`).join('');
  const lastCheckpoint = (): number => lines.map((line) => line.type).lastIndexOf(CHECKPOINT_SIGNED);

  /** The export with its last checkpoint signed anew by the log key's holder, with these extension lines. */
  const resignedWith = (extensions: string[]): string => {
    const at = lastCheckpoint();
    const { origin, size, rootHash } = parseCheckpoint(parseNote(lines[at].data.note).text);
    const note = signCheckpoint({ origin, size, rootHash, extensions }, signer);
    return fileOf(lines.map((line, index) => (index === at ? { ...line, data: { size, note } } : line)));
  };

  it("reads a checkpoint's timestamp line only in the form the log writes it: without a zone it would be the reader's local time, and two readers in two zones would disagree", async () => {
    const at = lastCheckpoint();
    const signedAt: string = lines[at].occurredAt;
    expect((await verify('genuine', fileOf(lines), { TZ: 'Asia/Tokyo' })).code).toBe(EXIT.OK);
    const variants: Array<[string, string[]]> = [
      ['no zone', [`timestamp ${signedAt.slice(0, -1)}`]],
      ['an offset', [`timestamp ${signedAt.slice(0, -1)}+00:00`]],
      ['digits past the millisecond', [`timestamp ${signedAt.slice(0, -1)}999Z`]],
      ['two timestamp lines', [`timestamp ${signedAt}`, 'timestamp 2020-01-01T00:00:00.000Z']],
    ];
    for (const [what, extensions] of variants) {
      for (const TZ of ['UTC', 'Asia/Tokyo', 'America/New_York']) {
        const { code, verdict } = await verify(`timestamp-${TZ.replace('/', '-')}`, resignedWith(extensions), { TZ });
        expect({ what, TZ, code, failure: verdict.failure }).toEqual({
          what,
          TZ,
          code: EXIT.TAMPERED,
          failure: expect.objectContaining({ line: at + 1, reason: "the checkpoint's timestamp line does not hold a time as the log writes it: one line, ISO 8601 in UTC to the millisecond" }),
        });
      }
    }
  });

  it("reads a time of an event only in the form the log writes it: a challenge time without a zone, in a proof the replay folds, would be the reader's local time, and readers in two zones would disagree", async () => {
    const set = lines.findIndex((line) => line.type === 'PromptFrequencyChanged');
    const [orgId] = (lines[0].stream as string).split('-').slice(1).join('-').split('~');
    const { statement, publicKey } = lines[set].data.proof as { statement: string; publicKey: string };
    const challenge = JSON.parse(statement) as { issuedAt: string; nonce: string };
    // A signed change before the real one, carrying a proof whose challenge was issued, without a
    // zone, when the real one's was: the fold would remember its nonce from then, whichever "then"
    // it reads. (A LOGOUT, which the replay checks no signature on, may carry no proof at all.)
    const noZone = { ...challenge, nonce: `${challenge.nonce}x`, issuedAt: challenge.issuedAt.slice(0, -1) };
    const forgedChange: ExportLine = {
      ...lines[set],
      eventId: '00000000-0000-4000-8000-000000000001',
      data: { ...lines[set].data, frequency: 'EVERY_TASK', previous: 'EVERY_TASK', proof: { statement: JSON.stringify(noZone), signature: 'AA', publicKey } },
    };
    const later = (line: ExportLine): ExportLine => (line.stream === forgedChange.stream ? { ...line, revision: (line.revision as number) + 1 } : line);
    const forged = fileOf(resignedExport([...lines.slice(0, set), forgedChange, ...lines.slice(set).map(later)], signer, orgId));
    const verdicts = [];
    for (const TZ of ['UTC', 'Asia/Tokyo', 'America/New_York']) {
      const { code, verdict } = await verify(`challenge-time-${TZ.replace('/', '-')}`, forged, { TZ });
      verdicts.push({ TZ, code, failure: verdict.failure });
    }
    const refused = (TZ: string) => ({
      TZ,
      code: EXIT.TAMPERED,
      failure: expect.objectContaining({ line: set + 1, reason: expect.stringMatching(/^cannot decode event PromptFrequencyChanged v2: data\.proof\.statement: .*ISO 8601 in UTC to the millisecond/) }),
    });
    expect(verdicts).toEqual(['UTC', 'Asia/Tokyo', 'America/New_York'].map(refused));
  });

  it('refuses a LOGOUT carrying what only a signed change records (a proof, a key and signing time): the replay checks no signature on a LOGOUT, so a reader would take an unchecked proof there for a signed decision', async () => {
    const set = lines.findIndex((line) => line.type === 'PromptFrequencyChanged');
    const [orgId] = (lines[0].stream as string).split('-').slice(1).join('-').split('~');
    const { agentId, browserId, frequency, proof, keyFingerprint, signedAt } = lines[set].data as Record<string, unknown>;
    const carried: Array<[string, Record<string, unknown>]> = [
      // The change's own proof, signed by the agent's key: a real signature, over another decision.
      ['proof', { proof }],
      // No proof, yet a key and a signing time, which the fold would take for a remembered signature.
      ['keyFingerprint', { keyFingerprint, signedAt }],
    ];
    for (const [member, extra] of carried) {
      const logout: ExportLine = {
        ...lines[set],
        eventId: '00000000-0000-4000-8000-000000000002',
        revision: (lines[set].revision as number) + 1,
        data: { agentId, browserId, frequency: 'EVERY_TASK', previous: frequency, reason: 'LOGOUT', ...extra },
      };
      const later = (line: ExportLine): ExportLine => (line.stream === logout.stream ? { ...line, revision: (line.revision as number) + 1 } : line);
      const forged = fileOf(resignedExport([...lines.slice(0, set + 1), logout, ...lines.slice(set + 1).map(later)], signer, orgId));
      const { code, verdict } = await verify(`logout-${member}`, forged);
      expect({ member, code, failure: verdict.failure }).toEqual({
        member,
        code: EXIT.TAMPERED,
        failure: expect.objectContaining({ line: set + 2, reason: `cannot decode event PromptFrequencyChanged v2: data.${member}: no member of PromptFrequencyChanged data` }),
      });
    }
  });

  type Forgery = [name: string, which: (line: ExportLine) => boolean, edit: (data: Record<string, unknown>) => Record<string, unknown>, reason: string];
  /**
   * Each forgery's verdict: the data of the first line `which` picks replaced by `edit`'s, the
   * export signed anew by the log key's holder, verified by the built CLI; beside the refusal
   * expected, at that line: `cannot decode event ${event}: ${reason}`.
   */
  const forged = async (event: string, forgeries: Forgery[]) => {
    const [orgId] = (lines[0].stream as string).split('-').slice(1).join('-').split('~');
    const verdicts = [];
    const expected = [];
    for (const [name, which, edit, reason] of forgeries) {
      const at = lines.findIndex(which);
      const file = fileOf(resignedExport(lines.map((line, index) => (index === at ? { ...line, data: edit({ ...line.data }) } : line)), signer, orgId));
      const { code, verdict } = await verify(name, file);
      verdicts.push({ name, code, failure: verdict.failure });
      expected.push({ name, code: EXIT.TAMPERED, failure: expect.objectContaining({ line: at + 1, reason: `cannot decode event ${event}: ${reason}` }) });
    }
    return { verdicts, expected };
  };
  const ofType = (type: string, member: string, value: unknown) => (line: ExportLine) => line.type === type && line.data[member] === value;
  const without = (...members: string[]) => (data: Record<string, unknown>) => Object.fromEntries(Object.entries(data).filter(([member]) => !members.includes(member)));

  it('refuses a task authorization whose method does not match what it carries: a REMEMBERED one carries no signing time nor proof (a reader, and the as-of query, would read a new signature there), a SIGNATURE one carries both', async () => {
    const signature = ofType('SensitiveTaskAuthorized', 'method', 'SIGNATURE');
    const remembered = ofType('SensitiveTaskAuthorized', 'method', 'REMEMBERED');
    const signed = lines.find(signature)!.data as Record<string, unknown>;
    const { verdicts, expected } = await forged('SensitiveTaskAuthorized v2', [
      ['remembered-signedAt', remembered, (data) => ({ ...data, signedAt: signed.signedAt }), 'data.signedAt: no member of SensitiveTaskAuthorized data'],
      ['remembered-proof', remembered, (data) => ({ ...data, proof: signed.proof, signedAt: signed.signedAt }), 'data.proof: no member of SensitiveTaskAuthorized data'],
      ['signature-no-signedAt', signature, without('signedAt'), 'data.signedAt: Invalid input: expected string, received undefined'],
      ['signature-no-proof', signature, without('proof', 'signedAt'), 'data.proof: Invalid input: expected object, received undefined'],
    ]);
    expect(verdicts).toEqual(expected);
  });

  it('refuses a signed prompt frequency change without its signing time, key or proof: the server writes all three on every SET, and the fold remembers no signature without them', async () => {
    const set = ofType('PromptFrequencyChanged', 'reason', 'SET');
    const { verdicts, expected } = await forged('PromptFrequencyChanged v2', [
      ['set-no-signedAt', set, without('signedAt'), 'data.signedAt: Invalid input: expected string, received undefined'],
      ['set-no-keyFingerprint', set, without('keyFingerprint'), 'data.keyFingerprint: Invalid input: expected string, received undefined'],
      ['set-no-proof', set, without('proof'), 'data.proof: Invalid input: expected object, received undefined'],
    ]);
    expect(verdicts).toEqual(expected);
  });

  it('refuses a key approval carrying what its mode never records: a recovery named by a FIRST_KEY or APPROVAL (a reader would take it for a break-glass grant), an approver or decision on a FIRST_KEY, and an APPROVAL without its signed decision', async () => {
    const first = ofType('KeyApproved', 'mode', 'FIRST_KEY');
    const approval = ofType('KeyApproved', 'mode', 'APPROVAL');
    const { decision } = lines.find(approval)!.data as Record<string, unknown>;
    const { verdicts, expected } = await forged('KeyApproved v1', [
      ['first-recoveryId', first, (data) => ({ ...data, recoveryId: 'rc1' }), 'data.recoveryId: no member of KeyApproved data'],
      ['approval-recoveryId', approval, (data) => ({ ...data, recoveryId: 'rc1' }), 'data.recoveryId: no member of KeyApproved data'],
      ['first-decision', first, (data) => ({ ...data, approvedBy: 'bob', decision }), 'data.approvedBy: no member of KeyApproved data'],
      ['approval-no-decision', approval, without('decision'), 'data.decision: Invalid input: expected object, received undefined'],
    ]);
    expect(verdicts).toEqual(expected);
  });

  it('counts a checkpoint once: a copy of its line whose note carries one more signature line (a key nobody knows, or the log key again) is the same signed checkpoint, refused as a repeat', async () => {
    const at = lastCheckpoint();
    const line = lines[at];
    const signatureLine = (line.data.note as string).split('\n').at(-2)!;
    const notes = [`${line.data.note}— attacker.example/witness ${Buffer.alloc(68, 1).toString('base64')}\n`, `${line.data.note}${signatureLine}\n`];
    for (const note of notes) {
      const copy = { ...line, revision: line.revision + 1, data: { ...line.data, note } };
      const { code, verdict } = await verify('copied', fileOf([...lines, copy]));
      expect({ code, failure: verdict.failure }).toEqual({
        code: EXIT.TAMPERED,
        failure: expect.objectContaining({ line: lines.length + 1, reason: 'the checkpoint repeats the one before it: the log signs each checkpoint once, with its own timestamp' }),
      });
    }
  });

  it("refuses a number written otherwise than the canonical form writes it: JSON.parse reads 1.0000000000000001 as 1, the leaf's, where a reader keeping its digits (jq 1.7, a decimal parser) reads another number", async () => {
    const created = lines.findIndex((line) => line.type === 'OrganizationCreated');
    const text = JSON.stringify(lines[created]);
    const spellings: Array<[string, string]> = [
      ['"memberKeyApprovals":1.0000000000000001', '1.0000000000000001'],
      ['"memberKeyApprovals":1.0', '1.0'],
      ['"memberKeyApprovals":1e0', '1e0'],
      ['"memberKeyApprovals":10E-1', '10E-1'],
      ['"revision":-0', '-0'],
    ];
    for (const [spelled, number] of spellings) {
      const edited = text.replace(spelled.startsWith('"revision"') ? '"revision":0' : '"memberKeyApprovals":1', spelled);
      expect(edited).not.toBe(text);
      expect(JSON.stringify(JSON.parse(edited))).toBe(text); // the record JSON.parse reads is the genuine one
      const file = fileOf(lines).replace(text, edited);
      const { code, verdict } = await verify('spelled', file);
      expect({ number, code, failure: verdict.failure }).toEqual({
        number,
        code: EXIT.TAMPERED,
        failure: expect.objectContaining({ line: created + 1, reason: `the line writes the number ${number} otherwise than canonical JSON writes it (${JSON.stringify(JSON.parse(number))}): readers keeping its digits would read another number than its leaf covers` }),
      });
    }
  });

  it("refuses a checkpoint line recorded at another time than its timestamp line's, or at one written otherwise than the log writes times (digits past the millisecond, which Date drops)", async () => {
    const at = lastCheckpoint();
    const signedAt: string = lines[at].occurredAt;
    const later = new Date(Date.parse(signedAt) + 1).toISOString();
    const refusals: Array<[string, string]> = [
      [later, `the checkpoint is recorded at ${later} but signed at ${signedAt}`],
      [`${signedAt.slice(0, -1)}999Z`, `the record's occurredAt is not a time as the log writes it: ISO 8601 in UTC to the millisecond (Date.toISOString): "${signedAt.slice(0, -1)}999Z"`],
    ];
    for (const [occurredAt, reason] of refusals) {
      const edited = lines.map((line, index) => (index === at ? { ...line, occurredAt } : line));
      const { code, verdict } = await verify('recorded-at', fileOf(edited));
      expect({ code, failure: verdict.failure }).toEqual({ code: EXIT.TAMPERED, failure: expect.objectContaining({ line: at + 1, reason }) });
    }
  });

  it('refuses a string holding a lone surrogate, even in a log the log key signed: RFC 8785 has no canonical form for it, JSON.parse keeps it where Go reads U+FFFD, so the two would hash and show another name', async () => {
    const added = lines.findIndex((line) => line.type === 'AgentAdded' && line.data.agentId === 'bob');
    const [orgId] = (lines[0].stream as string).split('-').slice(1).join('-').split('~');
    for (const displayName of ['Bob \ud800', '\udc00Bob']) {
      const edited = lines.map((line, index) => (index === added ? { ...line, data: { ...line.data, displayName: JSON.parse(`"${displayName}"`) as string } } : line));
      const { code, verdict } = await verify('surrogate', fileOf(resignedExport(edited, signer, orgId)));
      expect({ displayName, code, failure: verdict.failure }).toEqual({
        displayName,
        code: EXIT.TAMPERED,
        failure: expect.objectContaining({ line: added + 1, reason: 'the line holds a string with a lone surrogate (\\uD800-\\uDFFF unpaired): it is not Unicode text, which readers decode apart' }),
      });
    }
  });

  it('reads past only what every JSON reader reads past: a string escape, white space around a line, blank lines, a last line without its newline verify as the export does; anything after a line\'s JSON is refused', async () => {
    // The verdict but its count of lines (blank ones are lines of the file, read past).
    const verdictOf = async (name: string, text: string) => {
      const { code, verdict } = await verify(name, text);
      return { code, ok: verdict.ok, orgs: verdict.orgs };
    };
    const genuine = await verdictOf('as-exported', fileOf(lines));
    const added = lines.findIndex((line) => line.type === 'AgentAdded' && line.data.agentId === 'bob');
    const text = JSON.stringify(lines[added]);
    const file = fileOf(lines);
    const same = [
      file.replace(text, text.replace('"bob"', '"\\u0062ob"')),
      file.replace(text, ` \t${text} `),
      file.replace(`${text}\n`, `${text}\n\n \n`),
      file.slice(0, -1),
    ];
    for (const edited of same) expect(await verdictOf('read-past', edited)).toEqual(genuine);
    for (const after of [' {}', ' 1', '\u0000']) {
      const { code, verdict } = await verify('after-json', file.replace(text, `${text}${after}`));
      expect({ after, code, failure: verdict.failure }).toEqual({ after, code: EXIT.TAMPERED, failure: expect.objectContaining({ line: added + 1, reason: 'the line is not JSON' }) });
    }
  });

  it('refuses an event id given twice, by two leaves or by a leaf and a checkpoint line, even in a log the log key signed: the audit trail and the proofs by eventId find one event by it, and the log gives each its own', async () => {
    const added = lines.findIndex((line) => line.type === 'AgentAdded' && line.data.agentId === 'bob');
    const [orgId] = (lines[0].stream as string).split('-').slice(1).join('-').split('~');
    const before = added - 1 - [...lines.slice(0, added)].reverse().findIndex((line) => line.type !== CHECKPOINT_SIGNED);
    const twice = (id: string, first: number, at: number) =>
      expect.objectContaining({ line: at + 1, eventId: id, reason: `the event id ${id} is given twice: line ${first + 1} holds it too, and the log gives each event its own id, by which the audit trail and the proofs find it` });
    // Two leaves: bob's AgentAdded takes the id of the event before it, every checkpoint signed anew over it.
    const leaves = lines.map((line, index) => (index === added ? { ...line, eventId: lines[before].eventId } : line));
    const resigned = await verify('id-twice-leaves', fileOf(resignedExport(leaves, signer, orgId)));
    expect({ code: resigned.code, failure: resigned.verdict.failure }).toEqual({ code: EXIT.TAMPERED, failure: twice(lines[before].eventId, before, added) });
    // A checkpoint line holding a leaf's id (no leaf changes, nothing to sign anew).
    const at = lastCheckpoint();
    const checkpointLine = lines.map((line, index) => (index === at ? { ...line, eventId: lines[added].eventId } : line));
    const copied = await verify('id-twice-checkpoint', fileOf(checkpointLine));
    expect({ code: copied.code, failure: copied.verdict.failure }).toEqual({ code: EXIT.TAMPERED, failure: twice(lines[added].eventId, added, at) });
    // A line copied as it is repeats its stream's revision too.
    const again = await verify('line-twice', fileOf([...lines.slice(0, added + 1), lines[added], ...lines.slice(added + 1)]));
    expect({ code: again.code, reason: again.verdict.failure?.reason }).toEqual({ code: EXIT.TAMPERED, reason: expect.stringMatching(/goes back to revision/) });
  });

  it('--save-checkpoint saves the checkpoint as it verified it: its text and the log key\'s signature, never a signature line it did not check (a key nobody gave it, or the log key\'s again)', async () => {
    const at = lastCheckpoint();
    const genuine: string = lines[at].data.note;
    const { text, signatures } = parseNote(genuine);
    const logLine = genuine.slice(text.length + 1);
    const unknown = `\u2014 attacker.example/witness ${Buffer.alloc(68, 1).toString('base64')}\n`;
    const notes = [`${genuine}${unknown}`, `${text}\n${unknown}${logLine}`, `${genuine}${logLine}`];
    expect(signatures).toHaveLength(1);
    for (const note of notes) {
      const file = join(work, 'with-junk.ndjson');
      writeFileSync(file, fileOf(lines.map((line, index) => (index === at ? { ...line, data: { ...line.data, note } } : line))));
      const saved = join(work, 'saved.checkpoint');
      const { code } = await runProcess(CLI_BUILT, ['audit', 'verify', file, '--log-key', vkey, '--save-checkpoint', saved], { env: { PATH: process.env.PATH, ZTKEYS_HOME: work } });
      expect({ note, code, saved: readFileSync(saved, 'utf8') }).toEqual({ note, code: EXIT.OK, saved: genuine });
    }
  });

  it("refuses an org's events whose positions do not rise in the file's order: the leaves leave position out, so a reader ordering them by it (the trail's cursor) would read an order the log did not have", async () => {
    const events = lines.flatMap((line, index) => (line.type === CHECKPOINT_SIGNED ? [] : [index]));
    const [first, second] = events.slice(-2);
    const swapped = lines.map((line, index) => (index === first ? { ...line, position: lines[second].position } : index === second ? { ...line, position: lines[first].position } : line));
    const { code, verdict } = await verify('positions', fileOf(swapped));
    expect({ code, failure: verdict.failure }).toEqual({
      code: EXIT.TAMPERED,
      failure: expect.objectContaining({ line: second + 1, reason: `the event's position ${lines[first].position as number} is not after the position ${lines[second].position as number} of the org's event before it: the log's positions rise in its order` }),
    });
  });
});
