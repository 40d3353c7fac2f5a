import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/exit-codes';
import { runCli } from '../../src/cli/run-cli';
import { InProcessLease } from '../../src/leases/in-process-lease';
import { deadlineEnforcers } from '../../src/runtime/build-runtime';
import { DeadlineScheduler } from '../../src/runtime/deadline-scheduler';
import { AuditVerifier, type AuditVerifierOptions } from '../../src/transparency/audit-verifier';
import { parseVerifierKey } from '../../src/transparency/signed-note';
import { memoryIo } from '../cli/support/memory-io';
import { logSignerOf, resignedExport } from './resigned-export';
import { call, type TestAgent } from '../support/api-client';
import { serverForSuite } from '../support/server-for-suite';
import { signedLog, type ExportLine } from './signed-export';
import { TamperedOrgs } from '../../src/application/tampered-orgs';

const HOUR = 3600 * 1000;

/**
 * Event times (occurredAt) are written by the server, and the leaves sign them as written: an
 * insider holding the log key and the database can append events dated as they please and sign
 * the checkpoints anew. What bounds them: a checkpoint the auditor kept (it was signed at its
 * timestamp, before every event after its size and after every event up to it), and the rule that
 * time never goes back within a stream. Real server, its export tampered as that insider would,
 * `ztkeys audit verify` run on it.
 */
describe('audit verify bounds event times (R16, R20)', () => {
  const suite = serverForSuite({ LOG_CHECKPOINT_DELAY_MS: '50' });
  let work: string;
  beforeAll(() => (work = mkdtempSync(join(tmpdir(), 'ztkeys-event-times-'))));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const vkey = async () => (await call<string>(suite.server, 'GET', '/v1/log-key')).body;
  const file = (name: string, text: string): string => {
    const path = join(work, name);
    writeFileSync(path, text);
    return path;
  };
  const ndjson = (lines: ExportLine[]): string => `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`;
  async function verify(lines: ExportLine[], ...options: string[]) {
    const io = memoryIo({ ZTKEYS_HOME: work });
    const code = await runCli(['audit', 'verify', file(`export-${Math.random()}.ndjson`, ndjson(lines)), '--log-key', await vkey(), ...options], io);
    return { code, stdout: io.stdout.text, stderr: io.stderr.text };
  }

  const resign = (lines: ExportLine[], orgId: string): ExportLine[] => resignedExport(lines, logSignerOf(suite.server.dataDir), orgId);

  const shifted = (at: string, ms: number): string => new Date(Date.parse(at) + ms).toISOString();

  it('refuses a break-glass recovery appended after a trusted checkpoint and dated back so that it seems to have waited its delay', async () => {
    // Approvers are reminded of a request after 100 h: the scheduler's passes below write only the recovery's events.
    const alice = await suite.journey.createOrg('alice', { reminderAfterHours: 100 });
    await suite.journey.activeKey(alice, alice);
    // Locked out: the only approver's key is gone, and she asks for a new one.
    expect((await suite.journey.revokeKey(alice, 'alice')).status).toBe(200);
    expect((await suite.journey.requestKey(alice)).body.status).toBe('PENDING');
    // The auditor's last look: the checkpoint they keep (audit verify --save-checkpoint, or the witness's).
    const trusted = file('trusted.checkpoint', (await signedLog(suite.server, alice)).note);

    // An honest recovery, its 72 h passed on the scheduler's clock: reminded halfway, completed after the delay.
    const started = await call(suite.server, 'POST', `/v1/orgs/${alice.orgId}/recoveries`, suite.server.bootstrapToken, { agentId: 'alice' });
    expect(started.status).toBe(201);
    const startedAt = Date.parse(started.body.startedAt);
    const passAt = async (ms: number) => {
      // The scheduler finds running recoveries in their read model.
      const head = (await suite.server.eventStore.headPosition())!;
      while (((await suite.server.readModels.checkpoint('recoveries')) ?? -1n) < head) await new Promise((resolve) => setTimeout(resolve, 10));
      return new DeadlineScheduler(suite.server.readModels, deadlineEnforcers(suite.server.eventStore, suite.server.app.get(TamperedOrgs)), new InProcessLease(), { intervalMs: 20, clock: () => new Date(startedAt + ms) }).pass();
    };
    const recoveryEvents = (leaves: ExportLine[]) => leaves.filter((line) => line.stream === `recovery-${alice.orgId}`);
    await signedLog(suite.server, alice, (leaves) => recoveryEvents(leaves).length === 1);
    await passAt(37 * HOUR);
    await signedLog(suite.server, alice, (leaves) => recoveryEvents(leaves).length === 2);
    await passAt(73 * HOUR);
    const { lines } = await signedLog(suite.server, alice, (leaves) => leaves.some((line) => line.type === 'RecoveryCompleted'));
    expect(await verify(lines, '--trusted-checkpoint', trusted)).toMatchObject({ code: EXIT.OK, stderr: '' });

    // The insider's version: the same recovery, all of it 73 h earlier, so that it completes now,
    // started 73 h before the checkpoint the auditor kept (before the org itself), nobody told in time.
    const early = structuredClone(lines).map((line) => {
      const recovery = line.stream === `recovery-${alice.orgId}` || (line.type === 'KeyApproved' && line.data.mode === 'RECOVERY');
      if (!recovery) return line;
      line.occurredAt = shifted(line.occurredAt, -73 * HOUR);
      if (line.type === 'RecoveryStarted') for (const field of ['startedAt', 'effectiveAt', 'remindAt']) line.data[field] = shifted(line.data[field], -73 * HOUR);
      return line;
    });
    const forged = resign(early, alice.orgId);
    // Every other rule holds: only its place after the trusted checkpoint gives the date away.
    expect(await verify(forged)).toMatchObject({ code: EXIT.OK });
    const refused = await verify(forged, '--trusted-checkpoint', trusted);
    expect(refused.code).toBe(EXIT.TAMPERED);
    expect(refused.stderr).toMatch(/RecoveryStarted.*dated \S+, before the trusted checkpoint of size \d+ was signed at \S+/);

    // The console with required witnesses trusts the checkpoint it has just had cosigned, which covers the forgery, and
    // knows the one it kept is a prefix of it (the consistency proof): the kept one still dates what came after it.
    const logKey = parseVerifierKey(await vkey());
    const newest = forged.filter((line) => line.type === 'CheckpointSigned').at(-1)!.data.note as string;
    const kept = readFileSync(trusted, 'utf8');
    const verdictOf = (options: Omit<AuditVerifierOptions, 'logKey'>) => {
      const verifier = new AuditVerifier({ logKey, ...options });
      verifier.pushText(ndjson(forged));
      return verifier.finish();
    };
    expect(verdictOf({ trustedCheckpoint: newest }).ok).toBe(true);
    expect(verdictOf({ trustedCheckpoint: newest, earlierCheckpoint: kept }).failure).toMatchObject({ type: 'RecoveryStarted', reason: expect.stringMatching(/before the trusted checkpoint of size \d+ was signed at/) });
    expect(() => verdictOf({ trustedCheckpoint: kept, earlierCheckpoint: newest })).toThrow(/not one of a prefix of the trusted checkpoint/);
  });

  it('refuses an event the trusted checkpoint covers dated after that checkpoint was signed: an addition dated a day ahead, signed so already then', async () => {
    const alice = await suite.journey.createOrg('alice');
    await suite.journey.activeKey(alice, alice);
    await suite.journey.addAgent(alice, 'bob', 'ADMIN');
    const { lines } = await signedLog(suite.server, alice, (leaves) => leaves.some((line) => line.subject === 'bob'));
    // The insider's log, dated a day ahead from bob's addition on, and the checkpoint an auditor kept of it.
    const ahead = resign(
      lines.map((line) => (line.type !== 'CheckpointSigned' && line.subject === 'bob' ? { ...line, occurredAt: shifted(line.occurredAt, 24 * HOUR) } : line)),
      alice.orgId,
    );
    const kept = file('kept.checkpoint', ahead.filter((line) => line.type === 'CheckpointSigned').at(-1)!.data.note);
    expect(await verify(ahead)).toMatchObject({ code: EXIT.OK });
    const refused = await verify(ahead, '--trusted-checkpoint', kept);
    expect(refused.code).toBe(EXIT.TAMPERED);
    expect(refused.stderr).toMatch(/the event at index \d+ is dated \S+, after the trusted checkpoint of size \d+ that covers it was signed at \S+ .*dated forward/);
  });

  it('refuses an event dated before the previous event of its stream: a revocation moved before the approval it revokes', async () => {
    const alice = await suite.journey.createOrg('alice');
    await suite.journey.activeKey(alice, alice);
    const bob: TestAgent = await suite.journey.addAgent(alice, 'bob', 'ADMIN');
    await suite.journey.activeKey(bob, alice);
    expect((await suite.journey.revokeKey(alice, 'bob')).status).toBe(200);
    const { lines } = await signedLog(suite.server, alice, (leaves) => leaves.some((line) => line.type === 'KeyRevoked'));
    expect(await verify(lines)).toMatchObject({ code: EXIT.OK, stderr: '' });

    // As of an hour before bob's key was approved, it would read revoked already (who could act at T reads these times).
    const approved = lines.find((line) => line.type === 'KeyApproved' && line.subject === 'bob')!;
    const forged = resign(
      structuredClone(lines).map((line) => (line.type === 'KeyRevoked' ? { ...line, occurredAt: shifted(approved.occurredAt, -HOUR) } : line)),
      alice.orgId,
    );
    const refused = await verify(forged);
    expect(refused.code).toBe(EXIT.TAMPERED);
    expect(refused.stderr).toMatch(/KeyRevoked.*dated \S+, before \S+, the time of the previous event of stream agent-\S+~bob/);
  });
});
