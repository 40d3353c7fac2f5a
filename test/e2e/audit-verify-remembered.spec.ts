import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/exit-codes';
import { CHECKPOINT_SIGNED } from '../../src/transparency/log-checkpointer';
import type { NoteSigner } from '../../src/transparency/signed-note';
import { CLI_BUILT, runProcess } from '../cli/support/cli-process';
import { call, type TestAgent } from '../support/api-client';
import { serverForSuite } from '../support/server-for-suite';
import { logSignerOf, resignedExport } from './resigned-export';
import { signedLog, type ExportLine } from './signed-export';

const DAY_MS = 24 * 3600 * 1000;
const isoPlus = (iso: string, ms: number): string => new Date(Date.parse(iso) + ms).toISOString();

/**
 * R11 in the replay: a REMEMBERED task authorization carries no signature, so what stands behind
 * it is a signature made earlier in that browser with that key, within the window its prompt
 * frequency gives. The log key's holder adds REMEMBERED lines to a real server's export and signs
 * every checkpoint anew; `audit verify` (the built CLI) must refuse those the browser decider
 * would never have decided; likewise the window a SIGNATURE opens (its validUntil) and the
 * frequency a signed change replaced (its previous), which the browser's state gives.
 */
describe('audit verify: a REMEMBERED task authorization stands on a remembered signature', () => {
  const suite = serverForSuite({ LOG_CHECKPOINT_DELAY_MS: '50' });
  let work: string;
  let vkey: string;
  let signer: NoteSigner;
  let alice: TestAgent;
  let lines: ExportLine[];
  let firstKey: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'ztkeys-remembered-'));
    vkey = (await call(suite.server, 'GET', '/v1/log-key')).body as string;
    signer = logSignerOf(suite.server.dataDir);
    alice = await suite.journey.createOrg('alice');
    await suite.journey.requestKey(alice);
    firstKey = alice.key!.fingerprint;
    // laptop: DAILY, a task signed, one remembered.
    expect((await suite.journey.setPromptFrequency(alice, 'laptop', 'DAILY')).status).toBe(200);
    expect((await suite.journey.sensitiveTask(alice, 'laptop', 'export', alice.key)).body).toMatchObject({ method: 'SIGNATURE' });
    expect((await suite.journey.sensitiveTask(alice, 'laptop', 'export')).body).toMatchObject({ method: 'REMEMBERED' });
    // desk: a task signed at EVERY_TASK, which nothing remembers.
    expect((await suite.journey.sensitiveTask(alice, 'desk', 'wipe', alice.key)).body).toMatchObject({ method: 'SIGNATURE' });
    // phone: DAILY, then logged out.
    expect((await suite.journey.setPromptFrequency(alice, 'phone', 'DAILY')).status).toBe(200);
    expect((await suite.journey.logout(alice, 'phone')).status).toBe(200);
    // kiosk: WEEKLY, then back to EVERY_TASK.
    expect((await suite.journey.setPromptFrequency(alice, 'kiosk', 'WEEKLY')).status).toBe(200);
    expect((await suite.journey.setPromptFrequency(alice, 'kiosk', 'EVERY_TASK')).status).toBe(200);
    // Alice's key changes (ROTATION, the sole approver): her laptop's window was opened by the old one.
    const change = await suite.journey.requestKey(alice);
    expect(change.body.status).toBe('PENDING');
    const approved = await suite.journey.decide(alice, change.body.requestId, 'APPROVE', { verificationCode: change.body.verificationCode });
    expect(approved.body).toMatchObject({ status: 'APPROVED', mode: 'ROTATION' });
    alice.key = (change as typeof change & { key: typeof alice.key }).key;
    ({ lines } = await signedLog(suite.server, alice));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const browserStream = (browserId: string): string => `browser-${alice.orgId}~alice~${browserId}`;
  /** The index of the last line of `browserId`'s stream (of that type). */
  const lastOf = (browserId: string, type?: string): number =>
    lines.reduce((last, line, index) => (line.stream === browserStream(browserId) && (type === undefined || line.type === type) ? index : last), -1);
  /** The signing time of the change that set `browserId` to `frequency`. */
  const setAt = (browserId: string, frequency: string): string =>
    lines.find((line) => line.stream === browserStream(browserId) && line.data.reason === 'SET' && line.data.frequency === frequency)!.data.signedAt as string;
  const remembered = (): ExportLine => lines[lastOf('laptop', 'SensitiveTaskAuthorized')];

  /**
   * The export with one more REMEMBERED authorization of `browserId`'s stream, placed after line
   * `after` (its stream's last event by then) and dated `at`: what the log key's holder appends,
   * every checkpoint after it covering it, signed anew.
   */
  const withRemembered = (after: number, browserId: string, data: { keyFingerprint: string; validUntil: string }, at: string): ExportLine[] => {
    const stream = browserStream(browserId);
    const revision = lines.slice(0, after + 1).filter((line) => line.stream === stream).length;
    const model = remembered();
    const line: ExportLine = {
      ...model,
      eventId: randomUUID(),
      stream,
      revision,
      occurredAt: at,
      data: { agentId: 'alice', browserId, task: 'remote-control', method: 'REMEMBERED', ...data },
    };
    const edited = [...lines.slice(0, after + 1), line, ...lines.slice(after + 1)].map((each, index) =>
      index > after + 1 && each.type === CHECKPOINT_SIGNED ? { ...each, data: { ...each.data, size: (each.data.size as number) + 1 } } : each,
    );
    return resignedExport(edited, signer, alice.orgId);
  };

  const verify = async (name: string, exported: ExportLine[]) => {
    const file = join(work, `${name}.ndjson`);
    writeFileSync(file, exported.map((line) => `${JSON.stringify(line)}\n`).join(''));
    const { code, stdout } = await runProcess(CLI_BUILT, ['audit', 'verify', file, '--log-key', vkey, '--json'], { env: { PATH: process.env.PATH, ZTKEYS_HOME: work } });
    const verdict = JSON.parse(stdout) as { ok: boolean; failure?: { line: number; type?: string; reason: string } };
    return { name, code, failure: verdict.failure && { line: verdict.failure.line, reason: verdict.failure.reason } };
  };

  it('verifies a REMEMBERED authorization the browser decider decides: within the window of the last signature made in that browser with that key, until its end', async () => {
    const at = lastOf('laptop');
    const real = remembered();
    const verdict = await verify('within-window', withRemembered(at, 'laptop', { keyFingerprint: firstKey, validUntil: real.data.validUntil }, isoPlus(real.occurredAt, 1000)));
    expect(verdict).toEqual({ name: 'within-window', code: EXIT.OK, failure: undefined });
  });

  it('refuses a REMEMBERED authorization that no signature in that browser with that key stands behind, or whose window ends elsewhere, even in a log the log key signed anew', async () => {
    const real = remembered();
    const laptop = lastOf('laptop');
    const lastLine = lines.reduce((last, line, index) => (line.type === CHECKPOINT_SIGNED ? last : index), -1);
    const now = isoPlus(lines[lastLine].occurredAt, 1000);
    const desk = lastOf('desk');
    const phone = lastOf('phone');
    const kiosk = lastOf('kiosk');
    const refused = (reason: RegExp) => ({ code: EXIT.TAMPERED, reason });
    const forgeries: [string, ExportLine[], number, ReturnType<typeof refused>][] = [
      ['never-signed', withRemembered(lastLine, 'tablet', { keyFingerprint: alice.key!.fingerprint, validUntil: isoPlus(now, DAY_MS) }, now), lastLine + 1,
        refused(/no signature is remembered in this browser/)],
      ['after-logout', withRemembered(phone, 'phone', { keyFingerprint: firstKey, validUntil: isoPlus(setAt('phone', 'DAILY'), DAY_MS) }, isoPlus(lines[phone].occurredAt, 1000)), phone + 1,
        refused(/no signature is remembered in this browser/)],
      ['window-lapsed', withRemembered(laptop, 'laptop', { keyFingerprint: firstKey, validUntil: real.data.validUntil }, isoPlus(real.data.validUntil, 1000)), laptop + 1,
        refused(/refuses it there \(PROMPT_REQUIRED\)/)],
      ['every-task', withRemembered(desk, 'desk', { keyFingerprint: firstKey, validUntil: isoPlus(lines[desk].data.signedAt, DAY_MS) }, isoPlus(lines[desk].occurredAt, 1000)), desk + 1,
        refused(/prompt frequency for that key EVERY_TASK/)],
      ['back-to-every-task', withRemembered(kiosk, 'kiosk', { keyFingerprint: firstKey, validUntil: isoPlus(setAt('kiosk', 'WEEKLY'), 7 * DAY_MS) }, isoPlus(lines[kiosk].occurredAt, 1000)), kiosk + 1,
        refused(/prompt frequency for that key EVERY_TASK/)],
      ['another-key', withRemembered(lastLine, 'laptop', { keyFingerprint: alice.key!.fingerprint, validUntil: real.data.validUntil }, now), lastLine + 1,
        refused(/prompt frequency for that key EVERY_TASK/)],
      ['window-moved', withRemembered(laptop, 'laptop', { keyFingerprint: firstKey, validUntil: isoPlus(real.data.validUntil, 7 * DAY_MS) }, isoPlus(real.occurredAt, 1000)), laptop + 1,
        refused(new RegExp(`but the browser decider decides .*"validUntil":"${real.data.validUntil}"`))],
    ];
    const verdicts = [];
    const expected = [];
    for (const [name, exported, at, { code, reason }] of forgeries) {
      verdicts.push(await verify(name, exported));
      expected.push({ name, code, failure: { line: at + 1, reason: expect.stringMatching(reason) } });
    }
    expect(verdicts).toEqual(expected);
  });

  /** The export with members of line `index`'s data replaced: what the log key's holder edits, every checkpoint signed anew. */
  const withData = (index: number, change: Record<string, unknown>): ExportLine[] =>
    resignedExport(lines.map((line, at) => (at === index ? { ...line, data: { ...line.data, ...change } } : line)), signer, alice.orgId);
  const signedIn = (browserId: string): number =>
    lines.findIndex((line) => line.stream === browserStream(browserId) && line.type === 'SensitiveTaskAuthorized' && line.data.method === 'SIGNATURE');
  const setIn = (browserId: string, frequency: string): number =>
    lines.findIndex((line) => line.stream === browserStream(browserId) && line.data.reason === 'SET' && line.data.frequency === frequency);

  it('refuses a SIGNATURE whose validUntil is not the end of the window it opens, and a prompt frequency change whose previous frequency is not the browser\'s then, even in a log the log key signed anew', async () => {
    const laptop = signedIn('laptop');
    const desk = signedIn('desk');
    const kiosk = setIn('kiosk', 'EVERY_TASK');
    const phone = setIn('phone', 'DAILY');
    const laptopUntil = lines[laptop].data.validUntil as string;
    const deskAt = lines[desk].data.signedAt as string;
    expect([laptopUntil, lines[desk].data.validUntil]).toEqual([isoPlus(lines[laptop].data.signedAt as string, DAY_MS), deskAt]);
    const refused = (at: number, reason: RegExp) => ({ code: EXIT.TAMPERED, failure: { line: at + 1, reason: expect.stringMatching(reason) } });
    const cases: [string, ExportLine[], { code: number; failure?: unknown }][] = [
      ['resigned-unchanged', resignedExport(lines, signer, alice.orgId), { code: EXIT.OK, failure: undefined }],
      ['daily-moved', withData(laptop, { validUntil: isoPlus(laptopUntil, 7 * DAY_MS) }), refused(laptop, new RegExp(`validUntil ${isoPlus(laptopUntil, 7 * DAY_MS)}, but the window that signature opens ends at ${laptopUntil} \\(its prompt frequency for that key DAILY\\)`))],
      ['every-task-moved', withData(desk, { validUntil: isoPlus(deskAt, 7 * DAY_MS) }), refused(desk, new RegExp(`but the window that signature opens ends at ${deskAt} \\(its prompt frequency for that key EVERY_TASK\\)`))],
      ['previous-of-set-back', withData(kiosk, { previous: 'EVERY_TASK' }), refused(kiosk, /recorded as changed from EVERY_TASK, but it was WEEKLY there for that key/)],
      ['previous-of-first-set', withData(phone, { previous: 'WEEKLY' }), refused(phone, /recorded as changed from WEEKLY, but it was EVERY_TASK there for that key/)],
    ];
    const verdicts = [];
    for (const [name, exported] of cases) verdicts.push(await verify(name, exported));
    expect(verdicts).toEqual(cases.map(([name, , expected]) => ({ name, ...expected })));
  });
});
