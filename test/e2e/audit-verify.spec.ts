import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envelope } from '../../src/application/command-context';
import { EXIT } from '../../src/cli/exit-codes';
import { runCli } from '../../src/cli/run-cli';
import { cryptoPrimitives, useCryptoPrimitives } from '../../src/crypto/crypto-primitives';
import type { CryptoPrimitives } from '../../src/crypto/crypto-primitives.port';
import type { AgentAdded } from '../../src/domain/organization/organization.events';
import { CLOCK_SKEW_TOLERANCE_MS } from '../../src/domain/shared/signed-proof';
import { orgStream } from '../../src/domain/streams';
import { newId } from '../../src/shared/ids';
import { AuditVerifier } from '../../src/transparency/audit-verifier';
import type { AuditVerdict } from '../../src/transparency/verifier/audit-verdict';
import { VerifierFault } from '../../src/transparency/verifier/verifier-fault';
import { checkpointOrigin, openCheckpoint, parseCheckpoint, signCheckpoint } from '../../src/transparency/checkpoint';
import { leafInput } from '../../src/transparency/event-leaf';
import { CHECKPOINT_SIGNED } from '../../src/transparency/log-checkpointer';
import { LOG_KEY_FILE } from '../../src/transparency/log-key';
import { checkWitness } from '../../src/transparency/log-witness';
import { CompactRange, consistencyProof, leafHash, type Hash, type NodeId } from '../../src/transparency/merkle-tree';
import { openNote, parseSignerKey, parseVerifierKey, signerFromSeed, type NoteSigner } from '../../src/transparency/signed-note';
import { memoryIo } from '../cli/support/memory-io';
import { resignedExport } from './resigned-export';
import { call, type TestAgent } from '../support/api-client';
import { serverForSuite } from '../support/server-for-suite';
import { waitFor } from '../notifications/support/wait-for';
import { loggedEvents } from './event-log';

type Line = Record<string, any>;

const wrongCode = (code: string): string => code.slice(0, -1) + String((Number(code.slice(-1)) + 1) % 10);
const isCheckpoint = (line: Line): boolean => line.type === CHECKPOINT_SIGNED;
const leaves = (lines: Line[]): Line[] => lines.filter((line) => !isCheckpoint(line));

function verify(lines: Line[], vkey: string, options: { trustedCheckpoint?: string; firstKey?: string } = {}): AuditVerdict {
  const verifier = new AuditVerifier({ logKey: parseVerifierKey(vkey), ...options });
  for (const line of lines) verifier.push(JSON.stringify(line));
  return verifier.finish();
}

/** What an operator holding the log key does to hide a rewrite: numbers each stream anew and signs every checkpoint over the altered events. */
function resign(original: Line[], signer: NoteSigner, orgId: string): Line[] {
  const revisions = new Map<string, number>();
  const lines = original.map((line) => {
    const revision = (revisions.get(line.stream) ?? -1) + 1;
    revisions.set(line.stream, revision);
    return { ...line, revision } as Line;
  });
  return resignedExport(lines, signer, orgId);
}

/**
 * The export as a loaded server may write it: the checkpoint before the last one appended after the org's last event, as
 * when that event came while the checkpoint was signed (it signs the tree as it stood a moment before), so that no event
 * lies between the last two checkpoints.
 */
function withLateCheckpoint(original: Line[], signer: NoteSigner, orgId: string): Line[] {
  const [earlier] = original.filter(isCheckpoint).slice(-2);
  const lastEvent = leaves(original).at(-1)!;
  const lines = original.filter((line) => line !== earlier);
  lines.splice(lines.indexOf(lastEvent) + 1, 0, { ...earlier, occurredAt: lastEvent.occurredAt });
  return resign(lines, signer, orgId);
}

const indexOf = (lines: Line[], predicate: (line: Line) => boolean): number => {
  const index = lines.findIndex(predicate);
  if (index < 0) throw new Error('no such line');
  return index;
};

describe('ztkeys audit verify on real exports', () => {
  const suite = serverForSuite({ LOG_CHECKPOINT_DELAY_MS: '50' });
  let vkey: string;
  let signer: NoteSigner;
  let admin: TestAgent;
  let lines: Line[];
  let firstKey: string;
  let work: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'ztkeys-verify-'));
    vkey = (await call(suite.server, 'GET', '/v1/log-key')).body as string;
    signer = parseSignerKey(readFileSync(join(suite.server.dataDir, LOG_KEY_FILE), 'utf8'));
    admin = await suite.journey.createOrg('alice');
    const first = await suite.journey.requestKey(admin);
    firstKey = first.body.fingerprint;
    const bob = await suite.journey.addAgent(admin, 'bob', 'ADMIN');
    await suite.journey.activeKey(bob, admin);
    const carol = await suite.journey.addAgent(admin, 'carol');
    const requested = await suite.journey.requestKey(carol);
    expect((await suite.journey.decide(bob, requested.body.requestId, 'APPROVE', { verificationCode: wrongCode(requested.body.verificationCode) })).status).toBe(422);
    expect((await suite.journey.decide(bob, requested.body.requestId, 'APPROVE', { verificationCode: requested.body.verificationCode })).status).toBe(200);
    carol.key = (requested as typeof requested & { key: never }).key;
    // A checkpoint in the middle of the history: of every event so far (the first comes once the server's check at start vouched for its nodes).
    await waitFor('a checkpoint in the middle of the history', async () => {
      const events = await loggedEvents(suite.server, admin.orgId);
      const size = events.filter((event) => event.type !== CHECKPOINT_SIGNED).length;
      return events.some((event) => event.type === CHECKPOINT_SIGNED && (event.data as { size: number }).size === size);
    });
    const dave = await suite.journey.addAgent(admin, 'dave');
    const daves = await suite.journey.requestKey(dave);
    expect((await suite.journey.decide(admin, daves.body.requestId, 'REJECT')).status).toBe(200);
    expect((await suite.journey.setPromptFrequency(carol, 'laptop', 'DAILY')).status).toBe(200);
    expect((await suite.journey.sensitiveTask(carol, 'laptop', 'export-customers', carol.key)).status).toBe(200);
    expect((await suite.journey.sensitiveTask(carol, 'laptop', 'export-customers')).status).toBe(200);
    expect((await suite.journey.changeRole(admin, 'bob', 'MEMBER')).status).toBe(200);
    // Bob's key goes, so alice is the sole approver with an ACTIVE key: she approves her own rotation (R8).
    expect((await suite.journey.revokeKey(admin, 'bob')).status).toBe(200);
    const rotation = await suite.journey.requestKey(admin);
    expect((await suite.journey.decide(admin, rotation.body.requestId, 'APPROVE', { verificationCode: rotation.body.verificationCode })).status).toBe(200);

    const deadline = Date.now() + 15_000;
    for (;;) {
      const reply = await call(suite.server, 'GET', `/v1/orgs/${admin.orgId}/audit-log/export`, admin.token);
      lines = String(reply.body).trim().split('\n').map((line) => JSON.parse(line) as Line);
      const last = lines.at(-1)!;
      if (isCheckpoint(last) && last.data.size === leaves(lines).length && lines.filter(isCheckpoint).length >= 2) break;
      if (Date.now() > deadline) throw new Error(`no checkpoint of the whole log in ${JSON.stringify(lines)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** The lines as an export file in the suite's folder. */
  const writeExport = (name: string, exported: Line[]): string => {
    const file = join(work, name);
    writeFileSync(file, `${exported.map((line) => JSON.stringify(line)).join('\n')}\n`);
    return file;
  };

  /** `ztkeys ...` as a user runs it, its exit code and what it printed. */
  const run = async (...argv: string[]) => {
    const io = memoryIo({ ZTKEYS_HOME: work });
    const code = await runCli(argv, io);
    return { code, stdout: io.stdout.text, stderr: io.stderr.text };
  };

  it('verifies the export: every checkpoint, every signed statement; the ACTIVE keys with their approval chains', () => {
    const verdict = verify(lines, vkey, { firstKey });
    expect(verdict.failure).toBeUndefined();
    expect(verdict.ok).toBe(true);
    const [org] = verdict.orgs;
    expect(org).toMatchObject({ orgId: admin.orgId, events: leaves(lines).length, uncovered: 0, firstKey });
    expect(org.checkpoints).toBeGreaterThanOrEqual(2);
    const keys = Object.fromEntries(org.activeKeys.map((key) => [key.agentId, key.chain.map((link) => `${link.agentId}:${link.mode}`)]));
    expect(keys).toEqual({ alice: ['alice:ROTATION', 'alice:FIRST_KEY'], carol: ['carol:APPROVAL', 'bob:APPROVAL', 'alice:FIRST_KEY'] });
  });

  it('exports an org of several pages (1,000 entries a page) whole, every event once in log order, and the export verifies', async () => {
    const big = await suite.journey.createOrg('alice');
    const stream = orgStream(big.orgId);
    const last = (await suite.server.eventStore.readStream(stream)).at(-1)!;
    // 2,500 members in one append, as AddAgent would add them one by one: pages of 1,000 end mid-command.
    const added: AgentAdded[] = Array.from({ length: 2_500 }, (_, i) => ({
      type: 'AgentAdded',
      data: { agentId: `member-${i}`, email: `member-${i}@example.com`, displayName: `Member ${i}`, role: 'MEMBER' },
    }));
    const commandId = newId();
    await suite.server.eventStore.append([{ stream, expected: last.revision, events: envelope(added, { actor: 'alice', orgId: big.orgId, correlationId: commandId, commandId, now: new Date() }) }]);
    let exported: Line[] = [];
    for (const deadline = Date.now() + 15_000; ; ) {
      const reply = await call(suite.server, 'GET', `/v1/orgs/${big.orgId}/audit-log/export`, big.token);
      exported = String(reply.body).trim().split('\n').map((line) => JSON.parse(line) as Line);
      const final = exported.at(-1)!;
      if (isCheckpoint(final) && final.data.size === leaves(exported).length) break;
      if (Date.now() > deadline) throw new Error(`no checkpoint of the whole org in an export of ${exported.length} lines`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(leaves(exported).length).toBeGreaterThan(2_500);
    expect(exported.map((line) => line.eventId)).toEqual((await loggedEvents(suite.server, big.orgId)).map((event) => event.id));
    const verdict = verify(exported, vkey);
    expect(verdict.failure).toBeUndefined();
    expect(verdict.orgs[0]).toMatchObject({ orgId: big.orgId, events: leaves(exported).length, uncovered: 0 });
  });

  const failureOf = (tampered: Line[], options?: { trustedCheckpoint?: string; firstKey?: string }) => {
    const verdict = verify(tampered, vkey, options);
    expect(verdict.ok).toBe(false);
    return verdict.failure!;
  };

  it("detects an event's data edited", () => {
    const tampered = structuredClone(lines);
    const at = indexOf(tampered, (line) => line.type === 'AgentAdded' && line.data.agentId === 'carol');
    tampered[at].data.email = 'mallory@example.com';
    expect(failureOf(tampered)).toMatchObject({ reason: expect.stringMatching(/signed root at size \d+ is .* but the events give/) });
  });

  /** The verdict on the export with line `at` written as `text`, as a file holds it. */
  const verifyWithLine = (at: number, text: string): AuditVerdict => {
    const verifier = new AuditVerifier({ logKey: parseVerifierKey(vkey) });
    lines.forEach((line, index) => verifier.push(index === at ? text : JSON.stringify(line)));
    return verifier.finish();
  };

  it('refuses a line that names a member twice, which readers of the file would take differently', () => {
    // JSON.parse keeps the last value, so the leaf still matches; a reader keeping the first would see mallory.
    const at = indexOf(lines, (line) => line.type === 'AgentAdded' && line.data.agentId === 'carol');
    const text = JSON.stringify(lines[at]).replace('"email":', '"email":"mallory@example.com","email":');
    expect(JSON.parse(text)).toEqual(lines[at]);
    expect(verifyWithLine(at, text)).toMatchObject({ ok: false, failure: { line: at + 1, reason: expect.stringMatching(/names "email" twice/) } });
  });

  it('refuses a member no export record has, such as an orgId the leaf leaves out, and a position that is no log position', () => {
    const at = indexOf(lines, (line) => line.type === 'AgentAdded' && line.data.agentId === 'carol');
    const cases: [string, string][] = [
      [JSON.stringify({ ...lines[at], orgId: 'another-org' }), 'the record has a member "orgId", which no export record has'],
      [JSON.stringify(lines[at]).replace('{', '{"__proto__":{"role":"SUPER_ADMIN"},'), 'the record has a member "__proto__", which no export record has'],
      [JSON.stringify({ ...lines[at], position: 'first' }), "the record's position is not a log position"],
      [JSON.stringify({ ...lines[at], position: -1 }), "the record's position is not a log position"],
    ];
    for (const [text, reason] of cases) expect(verifyWithLine(at, text)).toMatchObject({ ok: false, failure: { line: at + 1, reason } });
    const { position: _position, ...unplaced } = lines[at];
    expect(verifyWithLine(at, JSON.stringify(unplaced)).ok).toBe(true); // position is optional: the leaf leaves it out
  });

  it('refuses, naming the line and the field, a record whose data has another shape than its type, nests without end or holds a number JSON cannot carry, rather than crashing', async () => {
    const added = indexOf(lines, (line) => line.type === 'AgentAdded');
    const requested = indexOf(lines, (line) => line.type === 'KeyRequested');
    const created = indexOf(lines, (line) => line.type === 'OrganizationCreated');
    const checkpoint = indexOf(lines, isCheckpoint);
    const edited = (at: number, edit: (data: Line) => void): string => {
      const line = structuredClone(lines[at]);
      edit(line.data);
      return JSON.stringify(line);
    };
    const cases: [number, string, string | RegExp][] = [
      [requested, edited(requested, (data) => (data.publicKey = null)), 'cannot decode event KeyRequested v1: data.publicKey: Invalid input: expected string, received null'],
      [requested, edited(requested, (data) => (data.proof = null)), 'cannot decode event KeyRequested v1: data.proof: Invalid input: expected object, received null'],
      [created, edited(created, (data) => (data.policy = null)), 'cannot decode event OrganizationCreated v1: data.policy: Invalid input: expected object, received null'],
      [checkpoint, edited(checkpoint, (data) => (data.note = 0)), 'cannot decode event CheckpointSigned v1: data.note: Invalid input: expected string, received number'],
      [added, JSON.stringify(lines[added]).replace('"data":{', `"data":{"x":${'['.repeat(100_000)}${']'.repeat(100_000)},`), /nests deeper than 64 arrays or objects/],
      [added, JSON.stringify(lines[added]).replace('"data":{', '"data":{"x":1e400,'), 'cannot decode event AgentAdded v1: data.x: no member of AgentAdded data'],
      [added, JSON.stringify(lines[added]).replace('"role":"', '"role":1e400,"_":"'), /^cannot decode event AgentAdded v1: data\.role: /],
      [added, JSON.stringify({ ...lines[added], data: null }), "the record's data is not an object"],
      [added, JSON.stringify({ ...lines[added], data: [] }), "the record's data is not an object"],
    ];
    for (const [at, text, reason] of cases) {
      expect(verifyWithLine(at, text)).toMatchObject({ ok: false, failure: { line: at + 1, reason: typeof reason === 'string' ? reason : expect.stringMatching(reason) } });
    }

    // The CLI: exit 6 and the line, not an internal error.
    const file = join(work, 'malformed.ndjson');
    writeFileSync(file, lines.map((line, index) => (index === requested ? cases[0][1] : JSON.stringify(line))).join('\n'));
    const io = memoryIo({ ZTKEYS_HOME: work });
    expect(await runCli(['audit', 'verify', file, '--log-key', vkey], io)).toBe(EXIT.TAMPERED);
    // Its index in the org's tree: checkpoint lines are no leaves, and one may come before it (the checkpointer's timing).
    const leafIndex = lines.slice(0, requested).filter((line) => !isCheckpoint(line)).length;
    expect(io.stderr.text).toContain(`INVALID or TAMPERED. First problem at line ${requested + 1} (KeyRequested ${lines[requested].eventId}, event ${leafIndex} of org ${admin.orgId}): ${cases[0][2]}`);
  });

  it('refuses data the replay would fold without a complaint, of another shape than its type, even when the operator signs the rewritten log anew', () => {
    const shaped = (type: string, edit: (data: Line) => void, expected: string) => {
      const tampered = structuredClone(lines);
      // A KeyApproved with a decision: the first one is the FIRST_KEY, which has none.
      const at = indexOf(tampered, (line) => line.type === type && (type !== 'KeyApproved' || line.data.mode === 'APPROVAL'));
      edit(tampered[at].data);
      expect(failureOf(resign(tampered, signer, admin.orgId))).toMatchObject({ line: at + 1, type, reason: `cannot decode event ${type} v${tampered[at].schemaVersion}: ${expected}` });
    };
    shaped('AgentAdded', (data) => (data.displayName = 42), 'data.displayName: Invalid input: expected string, received number');
    shaped('AgentAdded', (data) => (data.email = { address: data.email }), 'data.email: Invalid input: expected string, received object');
    shaped('AgentRoleChanged', (data) => (data.from = 'KING'), 'data.from: Invalid option: expected one of "MEMBER"|"ADMIN"|"SUPER_ADMIN"|"AUDITOR"');
    shaped('KeyRevoked', (data) => (data.note = 'unverified words'), 'data.note: no member of KeyRevoked data');
    shaped('KeyRevoked', (data) => (data.reason = ['a', 'list']), 'data.reason: Invalid input: expected string, received array');
    shaped('SensitiveTaskAuthorized', (data) => (data.validUntil = 'forever'), 'data.validUntil: Invalid input: expected a time as the log writes it: ISO 8601 in UTC to the millisecond (Date.toISOString)');
    shaped('KeyApproved', (data) => (data.decision.comment = 'approved'), 'data.decision.comment: no member of KeyApproved data');
    shaped('KeyRejected', (data) => (data.reason = 7), 'data.reason: Invalid input: expected string, received number');
    // The envelope's time too: no rule of AgentAdded reads it, and NaN compares neither before nor after anything.
    const tampered = structuredClone(lines);
    const at = indexOf(tampered, (line) => line.type === 'AgentAdded');
    tampered[at].occurredAt = 'whenever';
    expect(failureOf(resign(tampered, signer, admin.orgId))).toMatchObject({ line: at + 1, reason: 'the record\'s occurredAt is not a time as the log writes it: ISO 8601 in UTC to the millisecond (Date.toISOString): "whenever"' });
  });

  it('verifies task authorizations and frequency changes an earlier version wrote at schema version 1, and refuses what that version did not have', () => {
    const keyed = (line: Line) => line.type === 'SensitiveTaskAuthorized' || line.type === 'PromptFrequencyChanged';
    expect(lines.filter(keyed).map((line) => line.schemaVersion)).toEqual([2, 2, 2]);
    /** The export as a server before version 2 would have written it, each keyed line edited too. */
    const writtenAt = (schemaVersion: number, edit: (line: Line) => void = () => undefined) =>
      resign(
        structuredClone(lines).map((line) => (keyed(line) ? (edit(line), { ...line, schemaVersion }) : line)),
        signer,
        admin.orgId,
      );
    expect(verify(writtenAt(1), vkey, { firstKey }).failure).toBeUndefined();
    const withId = writtenAt(1, (line) => line.type === 'SensitiveTaskAuthorized' && (line.data.authorizationId = 'd4c0a6e2-5b1e-5c4e-9a51-7d1c1f0e2a3b'));
    expect(failureOf(withId)).toMatchObject({ type: 'SensitiveTaskAuthorized', reason: 'cannot decode event SensitiveTaskAuthorized v1: data.authorizationId: no member of SensitiveTaskAuthorized data' });
    expect(failureOf(writtenAt(3))).toMatchObject({ type: 'PromptFrequencyChanged', newerRelease: true, reason: 'PromptFrequencyChanged v3, which this release cannot read (it reads up to v2)' });
  });

  it('gives a verdict, never a VerifierFault, on any value of any line\'s data or envelope replaced by one of the right JSON type but another content', () => {
    const replacements: Record<string, unknown[]> = {
      string: ['', 'x', '!not base64url!', 'AAAA', '{}', '[]', 'null', '{"issuedAt":1e400}', '{"a":{"b":1e400}}', '{"purpose":"KEY_DECISION","issuedAt":{}}', JSON.stringify({ nonce: {}, issuedAt: '2025-01-01T00:00:00.000Z' })],
      number: [0, 1, 2 ** 53, 1e300, -1],
      boolean: [true, false],
    };
    // Times too, where one is read: far in the future, not a date, the epoch.
    replacements.string.push('+275760-09-13T00:00:00.000Z', '2025-13-45T99:99:99.000Z', '1970-01-01T00:00:00.000Z');
    /** Every path in the value to a string, number or boolean. */
    const leaves = (value: unknown, path: (string | number)[] = []): (string | number)[][] =>
      typeof value === 'object' && value !== null ? Object.entries(value).flatMap(([key, inner]) => leaves(inner, [...path, Array.isArray(value) ? Number(key) : key])) : [path];
    let edits = 0;
    // Every edit verifies the lines before it again, whose signatures (half the time here) do not change: each
    // signature, message and key is verified by the platform once, its answer then reused; an edited one is verified anew.
    const platform = cryptoPrimitives();
    const verified = new Map<string, boolean>();
    useCryptoPrimitives({
      sha256: platform.sha256.bind(platform),
      verifyEd25519: (publicKey, message, signature) => {
        const key = `${publicKey} ${Buffer.from(message).toString('base64')} ${Buffer.from(signature).toString('base64')}`;
        let valid = verified.get(key);
        if (valid === undefined) verified.set(key, (valid = platform.verifyEd25519(publicKey, message, signature)));
        return valid;
      },
    });
    try {
      lines.forEach((line, at) => {
        for (const path of [...leaves(line.data).map((inData) => ['data', ...inData]), ['occurredAt'], ['actor'], ['eventId'], ['correlationId'], ['causationId']]) {
          const parentOf = (record: Line) => path.slice(0, -1).reduce<any>((object, key) => object[key], record);
          for (const value of replacements[typeof parentOf(line)[path.at(-1)!]] ?? []) {
            const tampered = structuredClone(line);
            parentOf(tampered)[path.at(-1)!] = value;
            expect(() => verifyWithLine(at, JSON.stringify(tampered))).not.toThrow();
            edits += 1;
          }
        }
      });
    } finally {
      useCryptoPrimitives(platform);
    }
    expect(edits).toBeGreaterThan(1000);
  });

  it.each([
    ['SHA-256', 'sha256', 10],
    ['Ed25519 verification', 'verifyEd25519', 1],
  ] as const)('exits 1, not 6, when the verifier itself fails (here the platform\'s %s throws mid-file): no verdict about the log', async (name, primitive, calls) => {
    const file = join(work, 'faulty-platform.ndjson');
    writeFileSync(file, lines.map((line) => JSON.stringify(line)).join('\n'));
    const platform = cryptoPrimitives();
    /** The platform, but its `primitive` fails from the call after `calls` on (the log key's id and the first leaves are hashed before). */
    const failingAfter = (calls: number): CryptoPrimitives => {
      const fails = <F extends (...args: never[]) => unknown>(real: F): F =>
        ((...args: Parameters<F>) => {
          if (--calls < 0) throw new Error(`${name} is not available on this platform`);
          return real(...args);
        }) as F;
      const faulty = { sha256: platform.sha256.bind(platform), verifyEd25519: platform.verifyEd25519.bind(platform) };
      return { ...faulty, [primitive]: fails(faulty[primitive]) };
    };
    try {
      const logKey = parseVerifierKey(vkey);
      useCryptoPrimitives(failingAfter(calls));
      const verifier = new AuditVerifier({ logKey });
      expect(() => lines.forEach((line) => verifier.push(JSON.stringify(line)))).toThrow(VerifierFault);
      expect(verifier.failed).toBeUndefined();
      useCryptoPrimitives(failingAfter(calls));
      const io = memoryIo({ ZTKEYS_HOME: work });
      expect(await runCli(['audit', 'verify', file, '--log-key', vkey], io)).toBe(EXIT.INTERNAL);
      expect(io.stderr.text).toMatch(new RegExp(`the verifier failed on line \\d+: ${name} is not available on this platform\\. This is a bug in the verifier, not a verdict about the log`));
      expect(io.stderr.text).not.toContain('INVALID or TAMPERED');
    } finally {
      useCryptoPrimitives(platform);
    }
  });

  it('refuses a line longer than any export record as soon as it is read that far, holding no more of it: a file without newlines is no memory or CPU sink', async () => {
    const verifier = new AuditVerifier({ logKey: parseVerifierKey(vkey) });
    verifier.pushText(lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
    const chunk = 'x'.repeat(1 << 16);
    let chunks = 0;
    while (!verifier.failed && chunks < 1_000) {
      verifier.pushText(chunk);
      chunks += 1;
    }
    expect(chunks).toBe(17); // 1 MiB of one line, then refused
    expect(verifier.finish()).toMatchObject({ ok: false, failure: { line: lines.length + 1, reason: 'the line holds more than 1048576 characters: no export record is that long' } });

    const file = join(work, 'one-long-line.ndjson');
    writeFileSync(file, `${JSON.stringify(lines[0])}\n{"data":"${'x'.repeat(8 << 20)}"}`);
    const io = memoryIo({ ZTKEYS_HOME: work });
    expect(await runCli(['audit', 'verify', file, '--log-key', vkey], io)).toBe(EXIT.TAMPERED);
    expect(io.stderr.text).toMatch(/First problem at line 2: the line holds more than 1048576 characters/);
  });

  it('detects a middle event deleted', () => {
    const tampered = structuredClone(lines);
    tampered.splice(indexOf(tampered, (line) => line.type === 'KeyRejected'), 1);
    expect(failureOf(tampered).reason).toMatch(/signed root|events are missing|events were removed/);
  });

  it('detects the last event deleted after a checkpoint covering it', () => {
    const tampered = structuredClone(lines);
    const last = tampered.length - 1 - [...tampered].reverse().findIndex((line) => !isCheckpoint(line));
    tampered.splice(last, 1);
    expect(failureOf(tampered).reason).toMatch(/the checkpoint covers \d+ events but only \d+ come before it: events were removed/);
  });

  it('detects a signature altered', () => {
    const tampered = structuredClone(lines);
    const at = indexOf(tampered, (line) => line.type === 'KeyApproved' && line.data.mode === 'APPROVAL' && line.data.agentId === 'carol');
    const signature: string = tampered[at].data.decision.signature;
    tampered[at].data.decision.signature = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
    expect(failureOf(tampered)).toMatchObject({ type: 'KeyApproved', reason: expect.stringMatching(/does not verify/) });
  });

  it('detects two events swapped', () => {
    const tampered = structuredClone(lines);
    const at = indexOf(tampered, (line) => line.type === 'AgentAdded' && line.data.agentId === 'dave');
    const next = at + 1 + tampered.slice(at + 1).findIndex((line) => !isCheckpoint(line));
    [tampered[at], tampered[next]] = [tampered[next], tampered[at]];
    expect(failureOf(tampered).reason).toMatch(/signed root|not in the org's directory|revision/);
  });

  it('detects a checkpoint dropped', () => {
    const tampered = structuredClone(lines);
    tampered.splice(indexOf(tampered, isCheckpoint), 1);
    expect(failureOf(tampered)).toMatchObject({ type: CHECKPOINT_SIGNED, reason: expect.stringMatching(/jumps from revision -1 to 1: events are missing/) });
  });

  /** The checkpoint stream numbered 0, 1, 2... anew, as one who drops or copies a checkpoint line does to hide it: a checkpoint line is no leaf. */
  const renumbered = (edited: Line[]): Line[] => {
    let revision = 0;
    return edited.map((line) => (isCheckpoint(line) ? { ...line, revision: revision++ } : line));
  };

  it('a checkpoint before the last dropped, the others renumbered, loses nothing the later one does not prove: the same verdict but for the count, and the events it covered still checked', () => {
    const first = indexOf(lines, isCheckpoint);
    const dropped = renumbered(structuredClone(lines).filter((_, index) => index !== first));
    const genuine = verify(lines, vkey);
    expect(verify(dropped, vkey)).toEqual({ ...genuine, lines: genuine.lines - 1, orgs: genuine.orgs.map((org) => ({ ...org, checkpoints: org.checkpoints - 1 })) });
    // The org's creation, which the dropped checkpoint covered (as every checkpoint does), edited: the next checkpoint's root refuses it.
    dropped[0].data.name = 'Mallory Inc';
    expect(failureOf(dropped)).toMatchObject({ type: CHECKPOINT_SIGNED, reason: expect.stringMatching(/^the signed root at size \d+ is \S+ but the events give \S+: an event before it was altered/) });
  });

  it("refuses a checkpoint line whose fields are not its note's: its time, a data member the note does not sign, its actor, subject, org, type's version, no timestamp line, a copy of the one before", () => {
    const at = indexOf(lines, isCheckpoint);
    const line = lines[at];
    const { origin, size, rootHash } = openCheckpoint(line.data.note, signer, checkpointOrigin(signer.name, admin.orgId));
    const cases: [Line, string | RegExp][] = [
      [{ ...line, occurredAt: '2020-01-01T00:00:00.000Z' }, `the checkpoint is recorded at 2020-01-01T00:00:00.000Z but signed at ${line.occurredAt}`],
      [{ ...line, data: { ...line.data, witnessedBy: 'sum.golang.org' } }, 'cannot decode event CheckpointSigned v1: data.witnessedBy: no member of CheckpointSigned data'],
      [{ ...line, actor: 'alice' }, 'a checkpoint is recorded by "alice", not by the log'],
      [{ ...line, subject: 'alice' }, 'the record\'s subject is "alice", but its data is about null'],
      [{ ...line, stream: 'checkpoint-another-org' }, /does not open with the log key: the checkpoint is of ".*", not ".*\/another-org"/],
      [{ ...line, schemaVersion: 2 }, /cannot decode event CheckpointSigned v2/],
      [{ ...line, data: { size, note: signCheckpoint({ origin, size, rootHash, extensions: [] }, signer) } }, 'the checkpoint has no timestamp line: the log timestamps every checkpoint it signs'],
    ];
    for (const [edited, reason] of cases) expect(verifyWithLine(at, JSON.stringify(edited))).toMatchObject({ ok: false, failure: { line: at + 1, reason } });
    // A copy right after it, the stream renumbered so its revisions still follow: one signed checkpoint, which a count would take for two.
    const copied = renumbered([...lines.slice(0, at + 1), line, ...lines.slice(at + 1)]);
    expect(failureOf(copied)).toMatchObject({ line: at + 2, reason: 'the checkpoint repeats the one before it: the log signs each checkpoint once, with its own timestamp' });
  });

  it("names no checkpoint line's ids or position in its verdict: edited, the verdict is the genuine one", () => {
    const edited = lines.map((line) => (isCheckpoint(line) ? { ...line, eventId: newId(), correlationId: newId(), causationId: newId(), position: line.position + 1_000_000 } : line));
    expect(verify(edited, vkey)).toEqual(verify(lines, vkey));
  });

  it('detects a checkpoint signed by another key', () => {
    const other = signerFromSeed(signer.name, Buffer.alloc(32, 7));
    const tampered = resign(lines, other, admin.orgId);
    expect(failureOf(tampered)).toMatchObject({ type: CHECKPOINT_SIGNED, reason: expect.stringMatching(/does not open with the log key: no signature by a known key/) });
  });

  it('detects a decision whose approver had been demoted, even when the operator signs the rewritten log anew', () => {
    const tampered = structuredClone(lines);
    const demotion = tampered.splice(indexOf(tampered, (line) => line.type === 'AgentRoleChanged' && line.data.agentId === 'bob'), 1)[0];
    tampered.splice(indexOf(tampered, (line) => line.type === 'KeyApprovalAttemptFailed'), 0, demotion);
    const failure = failureOf(resign(tampered, signer, admin.orgId));
    expect(failure).toMatchObject({ type: 'KeyApprovalAttemptFailed', reason: 'the approver "bob" was MEMBER at that point, not an ADMIN or SUPER_ADMIN' });
  });

  it('refuses a forked history: a rewrite signed anew does not extend the checkpoint saved earlier, for verify and for a witness', () => {
    const saved = lines.filter(isCheckpoint)[0].data.note as string;
    const forked = structuredClone(lines);
    forked[indexOf(forked, (line) => line.type === 'OrganizationCreated')].data.name = 'Not Acme';
    const resigned = resign(forked, signer, admin.orgId);
    expect(verify(resigned, vkey).ok).toBe(true); // alone, a consistent rewrite signed with the log key looks fine
    expect(verify(lines, vkey, { trustedCheckpoint: saved }).ok).toBe(true);
    expect(failureOf(resigned, { trustedCheckpoint: saved }).reason).toMatch(/not an extension of the trusted checkpoint.*history was rewritten/);

    // The witness: the server shows the forked head with a consistency proof from the size it saw.
    const verifier = parseVerifierKey(vkey);
    const origin = checkpointOrigin(verifier.name, admin.orgId);
    const head = resigned.at(-1)!.data.note as string;
    const proofFrom = (history: Line[], from: number, to: number) => {
      const nodes = new Map<string, Hash>();
      const tree = CompactRange.empty();
      for (const line of leaves(history).slice(0, to)) for (const node of tree.append(leafHash(leafInput(line as never)))) nodes.set(`${node.level}/${node.index}`, node.hash);
      return consistencyProof(from, to, ({ level, index }: NodeId) => nodes.get(`${level}/${index}`)!);
    };
    const savedSize = parseCheckpoint(openNote(saved, [verifier]).text).size;
    const headSize = openCheckpoint(head, verifier, origin).size;
    expect(checkWitness({ saved, latest: lines.at(-1)!.data.note, proof: proofFrom(lines, savedSize, headSize), logKey: verifier, origin })).toMatchObject({ ok: true });
    expect(checkWitness({ saved, latest: head, proof: proofFrom(resigned, savedSize, headSize), logKey: verifier, origin })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/not an extension/),
    });
  });

  it('refuses a checkpoint whose signed timestamp is no time, rather than crashing on the verdict', () => {
    const tampered = structuredClone(lines);
    const last = tampered.at(-1)!;
    const { origin, size, rootHash } = openCheckpoint(last.data.note, signer, checkpointOrigin(signer.name, admin.orgId));
    last.data.note = signCheckpoint({ origin, size, rootHash, extensions: ['timestamp not-a-time'] }, signer);
    expect(failureOf(tampered)).toMatchObject({ line: tampered.length, type: CHECKPOINT_SIGNED, reason: "the checkpoint's timestamp line does not hold a time as the log writes it: one line, ISO 8601 in UTC to the millisecond" });
  });

  it('verifies the export saved with a byte order mark and CRLF line ends, as an editor may save it; a mark later in the file is refused', async () => {
    const file = join(work, 'edited.ndjson');
    writeFileSync(file, `\uFEFF${lines.map((line) => `${JSON.stringify(line)}\r\n`).join('')}`);
    const io = memoryIo({ ZTKEYS_HOME: work });
    expect(await runCli(['audit', 'verify', file, '--log-key', vkey], io)).toBe(EXIT.OK);
    expect(io.stdout.text).toContain(`org ${admin.orgId}: ${leaves(lines).length} events`);
    expect(verifyWithLine(1, `\uFEFF${JSON.stringify(lines[1])}`)).toMatchObject({ ok: false, failure: { line: 2, reason: 'the line is not JSON' } });
  });

  it('names a file cut in the middle of its last line as cut (an export or a copy interrupted), not as a line of no JSON', async () => {
    const file = join(work, 'cut.ndjson');
    const text = lines.map((line) => `${JSON.stringify(line)}\n`).join('');
    writeFileSync(file, text.slice(0, -40));
    const io = memoryIo({ ZTKEYS_HOME: work });
    expect(await runCli(['audit', 'verify', file, '--log-key', vkey], io)).toBe(EXIT.TAMPERED);
    expect(io.stderr.text).toContain(`First problem at line ${lines.length}: the file ends in the middle of this line (no newline after it, and what there is of it is not JSON): it was cut short`);
  });

  it('detects a decision dated before its signed statement was issued, even when the operator signs the rewritten log anew', () => {
    const tampered = structuredClone(lines);
    const at = indexOf(tampered, (line) => line.type === 'KeyApproved' && line.data.mode === 'APPROVAL' && line.data.agentId === 'carol');
    const issuedAt = JSON.parse(tampered[at].data.decision.statement).issuedAt as string;
    // Just past the clock skew allowed: still after carol's request, so time does not go back in her stream.
    tampered[at].occurredAt = new Date(Date.parse(issuedAt) - CLOCK_SKEW_TOLERANCE_MS - 1).toISOString();
    expect(failureOf(resign(tampered, signer, admin.orgId))).toMatchObject({
      line: at + 1,
      reason: expect.stringContaining(`KeyApproved: The challenge was issued at ${issuedAt}, more than the tolerated clock skew after ${tampered[at].occurredAt}, the time it is used at`),
    });
  });

  it('detects a subject other than the agent the data is about, even when the operator signs the rewritten log anew', () => {
    const tampered = structuredClone(lines);
    const at = indexOf(tampered, (line) => line.type === 'AgentAdded' && line.data.agentId === 'carol');
    tampered[at].subject = 'bob';
    expect(failureOf(resign(tampered, signer, admin.orgId))).toMatchObject({ line: at + 1, reason: 'the record\'s subject is "bob", but its data is about "carol"' });
  });

  it('names a checkpoint\'s recorded size when it is not the signed one, and the field when it is no size: a text, a negative, none', () => {
    const last = lines.length - 1;
    const { size } = lines[last].data;
    const recorded = (value: unknown) => verifyWithLine(last, JSON.stringify({ ...lines[last], data: { ...lines[last].data, size: value } })).failure?.reason;
    expect(recorded(size + 1)).toBe(`the checkpoint signs size ${size} but is recorded as ${size + 1}`);
    expect(recorded(String(size))).toBe('cannot decode event CheckpointSigned v1: data.size: Invalid input: expected number, received string');
    expect(recorded(-1)).toBe('cannot decode event CheckpointSigned v1: data.size: Too small: expected number to be >=0');
    expect(recorded(undefined)).toBe('cannot decode event CheckpointSigned v1: data.size: Invalid input: expected number, received undefined');
  });

  it('pins the first key', () => {
    expect(failureOf(lines, { firstKey: 'ab'.repeat(32) }).reason).toMatch(/first key is [0-9a-f]{64}, not the pinned/);
  });

  it('does not call verified what no checkpoint signs: lines appended after the last checkpoint, or a whole org without one, exit 9 naming them', async () => {
    // What an insider holding the export (not the log key) appends: a promotion, which no agent signs.
    const lastOfOrg = lines.filter((line) => line.stream === orgStream(admin.orgId)).at(-1)!;
    const promotion: Line = {
      ...lastOfOrg,
      eventId: newId(),
      position: lines.at(-1)!.position + 1,
      type: 'AgentRoleChanged',
      revision: lastOfOrg.revision + 1,
      actor: 'alice',
      subject: 'dave',
      occurredAt: new Date(Date.parse(lines.at(-1)!.occurredAt) + 1000).toISOString(),
      data: { agentId: 'dave', from: 'MEMBER', to: 'SUPER_ADMIN' },
    };
    const appended = await run('audit', 'verify', writeExport('appended.ndjson', [...lines, promotion]), '--log-key', vkey);
    expect(appended.code).toBe(EXIT.UNCOVERED);
    expect(appended.stderr).toBe(
      `ztkeys: The audit log ${join(work, 'appended.ndjson')} is NOT VERIFIED past its last checkpoint: 1 event of org ${admin.orgId} after its checkpoint of size ${leaves(lines).length} is signed by no checkpoint, so nothing vouches for what it says. If the export was taken within seconds of a change, export again once the server has signed it.\n`,
    );
    expect(appended.stdout).toMatch(new RegExp(`^Audit log verified up to its last checkpoint, NOT past it: .*\\n(.*\\n)*  1 event after the last checkpoint: signed by no checkpoint, NOT verified`));

    // A made-up org: two lines of the genuine one under another id, which the log key never signed (each event its own id: the genuine ones' again are refused, exit 6).
    const madeUp = newId();
    const forged = lines.slice(0, 2).map((line) => ({ ...(JSON.parse(JSON.stringify(line).replaceAll(admin.orgId, madeUp)) as Line), eventId: newId() }));
    const alone = await run('audit', 'verify', writeExport('made-up.ndjson', forged), '--log-key', vkey, '--json');
    expect(alone.code).toBe(EXIT.UNCOVERED);
    expect(alone.stderr).toContain(`2 events of org ${madeUp} are signed by no checkpoint (it has none)`);
    expect(JSON.parse(alone.stdout)).toMatchObject({ ok: true, orgs: [{ orgId: madeUp, events: 2, checkpoints: 0, uncovered: 2 }] });
    const spliced = await run('audit', 'verify', writeExport('spliced.ndjson', [...lines, ...forged]), '--log-key', vkey);
    expect(spliced.code).toBe(EXIT.UNCOVERED);
    expect(spliced.stderr).toContain(`is NOT VERIFIED past its last checkpoint: 2 events of org ${madeUp} are signed by no checkpoint (it has none), so nothing vouches for what they say.`);
  });

  it("says an export holding a newer release's event CANNOT BE VERIFIED by this release (exit 10), neither verified nor tampered; tampering before or after it is still found (exit 6)", async () => {
    // What a newer release writes: dave's request at schema version 2, with a member version 1 does not have, under checkpoints that release signed.
    const written = structuredClone(lines);
    const at = indexOf(written, (line) => line.type === 'KeyRequested' && line.data.agentId === 'dave');
    written[at] = { ...written[at], schemaVersion: 2, data: { ...written[at].data, deviceName: 'laptop' } };
    const newer = resign(written, signer, admin.orgId);
    const leafIndex = leaves(newer.slice(0, at)).length;
    const checkedBefore = newer.slice(0, at).filter(isCheckpoint).at(-1)!;
    const verdict = await run('audit', 'verify', writeExport('newer.ndjson', newer), '--log-key', vkey);
    expect(verdict.code).toBe(EXIT.NEWER_RELEASE);
    expect(verdict.stderr).toBe(
      `ztkeys: The audit log ${join(work, 'newer.ndjson')} CANNOT BE VERIFIED by this release of ztkeys: it holds events a newer ztkeys wrote; verify it with that release's ztkeys. ` +
        `The first is at line ${at + 1} (KeyRequested ${newer[at].eventId}, event ${leafIndex} of org ${admin.orgId}): KeyRequested v2, which this release cannot read (it reads up to v1); ` +
        "no tampering was found in what this release reads (every line's hash, and every checkpoint it can open, holds), but the rules of that event and of its org's events after it were not checked.\n" +
        `Verified before it: the first ${checkedBefore.data.size} events of org ${admin.orgId} (signed by its checkpoint of size ${checkedBefore.data.size} on line ${newer.indexOf(checkedBefore) + 1}). Nothing after them is.\n`,
    );
    const json = await run('audit', 'verify', writeExport('newer.ndjson', newer), '--log-key', vkey, '--json');
    expect(json.code).toBe(EXIT.NEWER_RELEASE);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, failure: { line: at + 1, type: 'KeyRequested', newerRelease: true, verified: [{ orgId: admin.orgId, events: checkedBefore.data.size }] } });

    // Before the first key: the replay never reaches it, which is no tampering under --first-key either.
    const first = structuredClone(lines);
    const firstRequest = indexOf(first, (line) => line.type === 'KeyRequested');
    first[firstRequest] = { ...first[firstRequest], schemaVersion: 2 };
    expect(verify(resign(first, signer, admin.orgId), vkey, { firstKey }).failure).toMatchObject({ line: firstRequest + 1, newerRelease: true });

    // An unknown type is a newer release's too; a known type out of its stream is not.
    const unknown = structuredClone(written);
    unknown[at] = { ...lines[at], type: 'KeyEscrowed' };
    expect((await run('audit', 'verify', writeExport('unknown.ndjson', resign(unknown, signer, admin.orgId)), '--log-key', vkey)).code).toBe(EXIT.NEWER_RELEASE);
    // A kind of stream a newer release added, holding that release's events: a newer release's too; a type this release knows there is no release's.
    const inserted = (line: Line) => resign([...lines.slice(0, at + 1), line, ...lines.slice(at + 1)], signer, admin.orgId);
    const escrowed = { ...lines[at], eventId: newId(), stream: `escrow-${admin.orgId}~dave`, revision: 0, type: 'KeyEscrowed' };
    expect(verify(inserted(escrowed), vkey).failure).toMatchObject({ line: at + 2, type: 'KeyEscrowed', newerRelease: true });
    const misplaced = verify(inserted({ ...escrowed, type: 'AgentAdded' }), vkey).failure;
    expect({ ...misplaced, newer: misplaced?.newerRelease ?? false }).toMatchObject({ line: at + 2, reason: `"escrow-${admin.orgId}~dave" is not a stream of the log`, newer: false });

    for (const altered of [indexOf(newer, (line) => line.type === 'AgentAdded' && line.data.agentId === 'carol'), at, newer.length - 2]) {
      const tampered = structuredClone(newer);
      tampered[altered].occurredAt = new Date(Date.parse(tampered[altered].occurredAt) + 1).toISOString();
      const run6 = await run('audit', 'verify', writeExport('newer-tampered.ndjson', tampered), '--log-key', vkey);
      expect({ altered, code: run6.code, stderr: run6.stderr }).toEqual({ altered, code: EXIT.TAMPERED, stderr: expect.stringContaining('is INVALID or TAMPERED') });
    }
  });

  it.each([
    ['as the server wrote it', () => lines],
    ['with no event between its last two checkpoints, as a loaded server writes it', () => withLateCheckpoint(lines, signer, admin.orgId)],
  ])("never says that a checkpoint it cannot open holds: an event altered under the last checkpoint and that checkpoint relabelled a newer release's is exit 10, naming it unchecked, and only what an earlier checkpoint signs verified (it said every checkpoint held); the export %s", async (_, exported) => {
    // No log key needed: the line's schema version is no part of the signed note.
    const relabelled = structuredClone(exported());
    const checkpoints = relabelled.filter(isCheckpoint);
    const [earlier, last] = checkpoints.slice(-2);
    const to = relabelled.indexOf(last);
    // The last event it signs and the one before does not: a checkpoint signs the tree as it stood a moment before it was
    // appended, so on a loaded machine the events it signs may come after the checkpoint before it, or none between them.
    expect(earlier.data.size).toBeLessThan(last.data.size);
    const altered = relabelled.indexOf(leaves(relabelled)[last.data.size - 1]);
    relabelled[altered] = { ...relabelled[altered], occurredAt: new Date(Date.parse(relabelled[altered].occurredAt) + 1).toISOString() };
    relabelled[to] = { ...last, schemaVersion: 2 };
    const verdict = await run('audit', 'verify', writeExport('relabelled.ndjson', relabelled), '--log-key', vkey);
    expect(verdict.code).toBe(EXIT.NEWER_RELEASE);
    expect(verdict.stderr).toContain("no tampering was found in what this release reads (every line's hash, and every checkpoint it can open, holds), but the rules of that event and of its org's events after it were not checked, nor what the checkpoint it cannot open signs.\n");
    expect(verdict.stderr).not.toContain('every hash and checkpoint holds');
    const json = JSON.parse((await run('audit', 'verify', writeExport('relabelled.ndjson', relabelled), '--log-key', vkey, '--json')).stdout) as AuditVerdict;
    expect(json.failure).toMatchObject({ type: 'CheckpointSigned', newerRelease: true, unreadCheckpoints: 1, verified: [{ orgId: admin.orgId, events: earlier.data.size }] });
    // Read as it was written, the same alteration is found.
    relabelled[to] = last;
    expect((await run('audit', 'verify', writeExport('altered.ndjson', relabelled), '--log-key', vkey)).code).toBe(EXIT.TAMPERED);
  });

  it.each([
    ['as the server wrote it', () => lines],
    ['with no event between its last two checkpoints, as a loaded server writes it', () => withLateCheckpoint(lines, signer, admin.orgId)],
  ])('verifies, exit 0, a file whose last checkpoint line is gone when the trusted checkpoint signs every event of it (it said 9, the events after the file\'s last checkpoint "signed by no checkpoint"); the export %s', async (_, exported) => {
    const lines = exported();
    const last = lines.at(-1)!;
    expect(isCheckpoint(last) && last.data.size).toBe(leaves(lines).length);
    const trusted = join(work, 'whole.checkpoint');
    writeFileSync(trusted, last.data.note as string);
    const verdict = await run('audit', 'verify', writeExport('no-last-checkpoint.ndjson', lines.slice(0, -1)), '--log-key', vkey, '--trusted-checkpoint', trusted);
    expect({ code: verdict.code, stderr: verdict.stderr }).toEqual({ code: EXIT.OK, stderr: '' });
    expect(verdict.stdout).not.toContain('NOT verified');
    // A file that also lacks events the trusted checkpoint signs is cut (exit 7), as before: cut before its last event
    // (a checkpoint may come between that event and the last checkpoint).
    const cut = lines.slice(0, lines.indexOf(leaves(lines).at(-1)!));
    expect((await run('audit', 'verify', writeExport('cut.ndjson', cut), '--log-key', vkey, '--trusted-checkpoint', trusted)).code).toBe(EXIT.FORKED);
  });

  it('refuses a filtered export, naming what it is: the audit trail of a type or from a time is no whole log, so nothing in it can be verified', async () => {
    const from = lines.find((line) => line.type === 'KeyRejected')!.occurredAt;
    for (const query of ['type=KeyApproved', 'subject=carol', `from=${encodeURIComponent(from)}`]) {
      const reply = await call(suite.server, 'GET', `/v1/orgs/${admin.orgId}/audit-log/export?${query}`, admin.token);
      const filtered = String(reply.body).trim().split('\n').map((line) => JSON.parse(line) as Line);
      const verdict = await run('audit', 'verify', writeExport('filtered.ndjson', filtered), '--log-key', vkey);
      expect({ query, code: verdict.code, stderr: verdict.stderr }).toEqual({
        query,
        code: EXIT.TAMPERED,
        stderr: expect.stringMatching(
          new RegExp(`First problem at line 1 \\(.*\\): stream \\S+ jumps from revision -1 to \\d+: events are missing: the file does not start where org ${admin.orgId}'s log starts, as a filtered export \\(\\?type=, \\?from=, \\.\\.\\.\\) or a cut one does: only the whole export verifies\\nNothing in it is verified\\.\\n$`),
        ),
      });
    }
  });

  it('exits 0 with a verdict, 6 with the first bad line and why, 2 on usage errors', async () => {
    const good = writeExport('audit.ndjson', lines);
    const ok = await run('audit', 'verify', good, '--log-key', vkey, '--first-key', firstKey);
    expect(ok).toMatchObject({ code: EXIT.OK, stderr: '' });
    expect(ok.stdout).toContain(`org ${admin.orgId}: ${leaves(lines).length} events`);
    expect(ok.stdout).toMatch(/carol \(MEMBER\): carol \S+ APPROVAL by bob <- bob \S+ APPROVAL by alice <- alice \S+ FIRST_KEY/);
    const json = await run('audit', 'verify', good, '--log-key', vkey, '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, orgs: [{ orgId: admin.orgId }] });

    const bad = join(work, 'tampered.ndjson');
    const tampered = structuredClone(lines);
    tampered.splice(indexOf(tampered, (line) => line.type === 'KeyRejected'), 1);
    writeFileSync(bad, tampered.map((line) => JSON.stringify(line)).join('\n'));
    const refused = await run('audit', 'verify', bad, '--log-key', vkey);
    expect(refused.code).toBe(EXIT.TAMPERED);
    expect(refused.stderr).toMatch(/^ztkeys: The audit log .* is INVALID or TAMPERED\. First problem at line \d+ \(/);

    expect((await run('audit', 'verify', good)).code).toBe(EXIT.USAGE);
    expect((await run('audit', 'verify', good, '--log-key', 'not-a-key')).code).toBe(EXIT.USAGE);
    expect((await run('audit', 'verify', join(work, 'missing.ndjson'), '--log-key', vkey)).code).toBe(EXIT.USAGE);
    // A checkpoint or key file past 64 KiB, or a device that never ends, is not read on: no log key or note is that long.
    const large = join(work, 'large.checkpoint');
    writeFileSync(large, 'x'.repeat(1 << 20));
    for (const [option, file] of [['--trusted-checkpoint', large], ['--trusted-checkpoint', '/dev/zero'], ['--log-key', '/dev/zero']]) {
      const args = option === '--log-key' ? [option, file] : ['--log-key', vkey, option, file];
      expect(await run('audit', 'verify', good, ...args)).toMatchObject({ code: EXIT.USAGE, stderr: expect.stringContaining(`${file} holds more than 64 KiB: no log key or checkpoint is that long.`) });
    }
    // A mistyped key or checkpoint file is said to be missing, not to be a malformed key; a file is read whatever its path holds ("+").
    const mistyped = join(work, 'log-key.txt');
    expect(await run('audit', 'verify', good, '--log-key', mistyped)).toMatchObject({ code: EXIT.USAGE, stderr: expect.stringContaining(`--log-key ${mistyped}: no such file`) });
    expect(await run('audit', 'verify', good, '--log-key', vkey, '--trusted-checkpoint', mistyped)).toMatchObject({ code: EXIT.USAGE, stderr: expect.stringContaining(`${mistyped}: no such file`) });
    const folder = join(work, 'keys+checkpoints');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'log-key.txt'), vkey);
    expect((await run('audit', 'verify', good, '--log-key', join(folder, 'log-key.txt'))).code).toBe(EXIT.OK);
    // A directory given for the file: a usage error naming it, not an internal error.
    expect(await run('audit', 'verify', work, '--log-key', vkey)).toMatchObject({ code: EXIT.USAGE, stderr: `ztkeys: Cannot read the audit export ${work}: EISDIR: illegal operation on a directory, read\n` });
  });
});
