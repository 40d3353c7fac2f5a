import { createWriteStream, createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fingerprint } from '../src/crypto/public-key';
import { challengeStatement } from '../src/crypto/statement';
import { verificationCode } from '../src/crypto/verification-code';
import { verifyEd25519 } from '../src/crypto/ed25519-verify';
import { agentStream, browserStream, orgStream } from '../src/domain/streams';
import { AuditVerifier } from '../src/transparency/audit-verifier';
import { signCheckpoint, timestampLine } from '../src/transparency/checkpoint';
import { leafInput } from '../src/transparency/event-leaf';
import { checkpointOrigin, checkpointStream } from '../src/transparency/log-checkpointer';
import { CompactRange, leafHash } from '../src/transparency/merkle-tree';
import { signerFromSeed } from '../src/transparency/signed-note';
import type { Bench } from './bench-row';

/** Events of the synthetic export: AUDIT_VERIFY_EVENTS, default a million. */
const EVENTS = Number(process.env.AUDIT_VERIFY_EVENTS ?? 1_000_000);
const AGENTS = 1000;
const CHECKPOINT_EVERY = 10_000;
const ORG = 'bench-org';

interface Key {
  publicKey: string;
  privateKey: KeyObject;
}

function newKey(): Key {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { publicKey: publicKey.export({ format: 'jwk' }).x as string, privateKey };
}

/**
 * A synthetic but valid export: an org, its first key, AGENTS members each with an approved key,
 * then sensitive tasks, every other one signed; a signed checkpoint every CHECKPOINT_EVERY events.
 * Returns how many events carry a signature.
 */
async function writeExport(file: string): Promise<number> {
  const out = createWriteStream(file);
  const log = signerFromSeed('bench.local/audit-log', Buffer.alloc(32, 1));
  const tree = CompactRange.empty();
  const revisions = new Map<string, number>();
  let clock = Date.parse('2026-01-01T00:00:00.000Z');
  let signed = 0;
  const write = async (line: object) => {
    if (!out.write(`${JSON.stringify(line)}\n`)) await once(out, 'drain');
  };
  const event = async (stream: string, type: string, actor: string, data: Record<string, unknown>) => {
    const revision = (revisions.get(stream) ?? -1) + 1;
    revisions.set(stream, revision);
    const id = randomUUID();
    const record = { eventId: id, position: tree.size, type, schemaVersion: 1, stream, revision, actor, subject: (data.agentId as string) ?? null, occurredAt: new Date((clock += 10)).toISOString(), correlationId: id, causationId: id, data };
    tree.append(leafHash(leafInput(record as never)));
    await write(record);
    if (tree.size % CHECKPOINT_EVERY === 0) {
      const note = signCheckpoint({ origin: checkpointOrigin(log.name, ORG), size: tree.size, rootHash: tree.root(), extensions: [timestampLine(new Date(clock))] }, log);
      const stream = checkpointStream(ORG);
      const revision = (revisions.get(stream) ?? -1) + 1;
      revisions.set(stream, revision);
      await write({ eventId: randomUUID(), position: tree.size, type: 'CheckpointSigned', schemaVersion: 1, stream, revision, actor: 'log', subject: null, occurredAt: new Date(clock).toISOString(), correlationId: 'c', causationId: 'c', data: { size: tree.size, note } });
    }
  };
  const proof = (agentId: string, key: Key, purpose: string, bound: Record<string, string>) => {
    const challenge = { purpose, orgId: ORG, agentId, nonce: randomUUID(), issuedAt: new Date(clock).toISOString(), expiresAt: new Date(clock + 60_000).toISOString(), ...bound };
    const statement = challengeStatement(challenge);
    signed += 1;
    return { statement, signature: sign(null, Buffer.from(statement), key.privateKey).toString('base64url'), publicKey: key.publicKey };
  };
  const request = async (agentId: string, key: Key, requestId: string) => {
    const data = { requestId, agentId, publicKey: key.publicKey, fingerprint: fingerprint(key.publicKey), verificationCode: verificationCode(ORG, agentId, key.publicKey) };
    await event(agentStream(ORG, agentId), 'KeyRequested', agentId, { ...data, proof: proof(agentId, key, 'KEY_REQUEST', { publicKey: key.publicKey }) });
    return data;
  };

  await event(orgStream(ORG), 'OrganizationCreated', 'operator', { orgId: ORG, name: 'Bench', policy: { firstKeyRequiresAdmin: true }, superAdminId: 'alice' });
  await event(orgStream(ORG), 'AgentAdded', 'operator', { agentId: 'alice', email: 'alice@example.com', displayName: 'alice', role: 'SUPER_ADMIN' });
  const alice = newKey();
  const first = await request('alice', alice, 'r-alice');
  await event(agentStream(ORG, 'alice'), 'KeyApproved', 'alice', { requestId: first.requestId, agentId: 'alice', publicKey: first.publicKey, fingerprint: first.fingerprint, mode: 'FIRST_KEY' });
  await event(orgStream(ORG), 'FirstKeyAssigned', 'alice', { agentId: 'alice', requestId: first.requestId });
  const keys: Key[] = [];
  for (let i = 0; i < AGENTS; i++) {
    const agentId = `agent${i}`;
    await event(orgStream(ORG), 'AgentAdded', 'alice', { agentId, email: `${agentId}@example.com`, displayName: agentId, role: 'MEMBER' });
    const key = newKey();
    keys.push(key);
    const requested = await request(agentId, key, `r-${agentId}`);
    const decision = proof('alice', alice, 'KEY_DECISION', { requestId: requested.requestId, requesterPublicKey: key.publicKey, decision: 'APPROVE' });
    await event(agentStream(ORG, agentId), 'KeyApproved', 'alice', { requestId: requested.requestId, agentId, publicKey: key.publicKey, fingerprint: requested.fingerprint, mode: 'APPROVAL', approvedBy: 'alice', decision });
  }
  for (let i = 0; tree.size < EVENTS; i++) {
    const n = i % AGENTS;
    const agentId = `agent${n}`;
    const stream = browserStream(ORG, agentId, 'laptop');
    const task = `task-${i}`;
    if (i % 2 === 0) {
      const at = new Date(clock + 10).toISOString();
      await event(stream, 'SensitiveTaskAuthorized', agentId, {
        agentId, browserId: 'laptop', task, method: 'SIGNATURE', keyFingerprint: fingerprint(keys[n].publicKey), validUntil: at, signedAt: at,
        proof: proof(agentId, keys[n], 'SENSITIVE_TASK', { browserId: 'laptop', task }),
      });
    } else {
      await event(stream, 'SensitiveTaskRefused', agentId, { agentId, browserId: 'laptop', task, reason: 'PROMPT_REQUIRED' });
    }
  }
  out.end();
  await once(out, 'finish');
  return signed;
}

/** Seconds per event of the bare work on a sample: SHA-256 of each leaf input, Ed25519 verification of each signature. */
async function bareCosts(file: string, sample: number): Promise<{ hash: number; verify: number }> {
  const inputs: Buffer[] = [];
  const signatures: Array<{ publicKey: string; statement: string; signature: string }> = [];
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    const record = JSON.parse(line);
    if (record.type === 'CheckpointSigned') continue;
    inputs.push(leafInput(record));
    const proof = record.data.proof ?? record.data.decision;
    if (proof) signatures.push(proof);
    if (inputs.length >= sample) break;
  }
  let started = process.hrtime.bigint();
  for (const input of inputs) leafHash(input);
  const hash = Number(process.hrtime.bigint() - started) / 1e9 / inputs.length;
  started = process.hrtime.bigint();
  for (const { publicKey, statement, signature } of signatures) if (!verifyEd25519(publicKey, statement, signature)) throw new Error('bad sample signature');
  const verify = Number(process.hrtime.bigint() - started) / 1e9 / signatures.length;
  return { hash, verify };
}

/** Verification of a synthetic export of EVENTS events, beside the bare leaf hashing and Ed25519 verifications it contains, one core. */
export const auditVerifyBench: Bench = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ztkeys-bench-verify-'));
  try {
    const file = join(dir, 'audit.ndjson');
    const signed = await writeExport(file);
    const verifier = new AuditVerifier({ logKey: signerFromSeed('bench.local/audit-log', Buffer.alloc(32, 1)) });
    const started = process.hrtime.bigint();
    for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) verifier.push(line);
    const verdict = verifier.finish();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (!verdict.ok) throw new Error(`the synthetic export does not verify: ${JSON.stringify(verdict.failure)}`);
    const events = verdict.orgs[0].events;
    const bare = await bareCosts(file, 50_000);
    const bareSeconds = events * bare.hash + signed * bare.verify;
    return [
      {
        name: `audit verify of a ${events.toLocaleString('en-US')}-event export (${signed.toLocaleString('en-US')} signed), file to verdict`,
        value: Math.round(events / seconds),
        unit: 'events/s',
        ceilingName: 'bare SHA-256 leaf hashing + Ed25519 verification of the same events, same core',
        ceilingValue: Math.round(events / bareSeconds),
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
