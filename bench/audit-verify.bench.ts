import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { verifyEd25519 } from '../src/crypto/ed25519-verify';
import { AuditVerifier } from '../src/transparency/audit-verifier';
import { leafInput } from '../src/transparency/event-leaf';
import { leafHash } from '../src/transparency/merkle-tree';
import { parseNote, signerFromSeed } from '../src/transparency/signed-note';
import type { Bench } from './bench-row';
import { writeAuditExport, type AuditExportSummary } from './support/audit-export';

/** Events of the synthetic export: BENCH_VERIFY_EVENTS, default a million (a smaller N while developing). */
const EVENTS = Number(process.env.BENCH_VERIFY_EVENTS ?? 1_000_000);
/** BENCH_VERIFY_FILE: an export to reuse, written there (with its summary beside it) when missing: the generator is much slower than the verifier. */
const KEPT_FILE = process.env.BENCH_VERIFY_FILE;
const AGENTS = 1000;
/** The checkpointer's default 2 s at 500 commands/s. */
const CHECKPOINT_EVERY = 1000;
const BATCH = 1000;
const LOG_KEY = signerFromSeed('bench.local/audit-log', Buffer.alloc(32, 1));

const lines = (file: string) => createInterface({ input: createReadStream(file), crlfDelay: Infinity });

interface Signed {
  publicKey: string;
  message: string | Uint8Array;
  signature: string;
}

/** The signatures a line carries: a statement's (proof, decision) or a checkpoint note's. */
function signaturesOf(record: { type: string; data: Record<string, unknown> }): Signed[] {
  if (record.type === 'CheckpointSigned') {
    const { text, signatures } = parseNote(record.data.note as string);
    return signatures.map(({ signature }) => ({ publicKey: LOG_KEY.publicKey.toString('base64url'), message: Buffer.from(text), signature: signature.toString('base64url') }));
  }
  const proof = (record.data.proof ?? record.data.decision) as { publicKey: string; statement: string; signature: string } | undefined;
  return proof ? [{ publicKey: proof.publicKey, message: proof.statement, signature: proof.signature }] : [];
}

/**
 * Seconds of the bare work in the whole file, timed batch by batch on inputs prepared untimed: the
 * SHA-256 leaf hash (0x00 prefix) of each event's leaf input and the Ed25519 verification of each
 * signature (statements and checkpoint notes), with the verifier's own node:crypto call.
 */
async function bareSeconds(file: string): Promise<{ seconds: number; events: number; signatures: number }> {
  let inputs: Buffer[] = [];
  let signed: Signed[] = [];
  let micros = 0;
  let events = 0;
  let signatures = 0;
  const run = () => {
    const started = process.cpuUsage();
    for (const input of inputs) leafHash(input);
    for (const { publicKey, message, signature } of signed) if (!verifyEd25519(publicKey, message, signature)) throw new Error('bad signature in the sample');
    const used = process.cpuUsage(started);
    micros += used.user + used.system;
    events += inputs.length;
    signatures += signed.length;
    [inputs, signed] = [[], []];
  };
  for await (const line of lines(file)) {
    const record = JSON.parse(line);
    if (record.type !== 'CheckpointSigned') inputs.push(leafInput(record));
    signed.push(...signaturesOf(record));
    if (inputs.length >= BATCH) run();
  }
  run();
  return { seconds: micros / 1e6, events, signatures };
}

/** Peak resident set size while `work` runs, sampled every 50 ms. */
async function peakRss<T>(work: () => Promise<T>): Promise<{ result: T; peakMiB: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);
  try {
    const result = await work();
    return { result, peakMiB: Math.round(Math.max(peak, process.memoryUsage.rss()) / 2 ** 20) };
  } finally {
    clearInterval(timer);
  }
}

/** The export at `file`: written now, or the kept one (BENCH_VERIFY_FILE) with the summary written beside it. */
async function exportAt(file: string): Promise<AuditExportSummary> {
  const summaryFile = `${file}.summary.json`;
  if (KEPT_FILE && existsSync(file) && existsSync(summaryFile)) return JSON.parse(readFileSync(summaryFile, 'utf8')) as AuditExportSummary;
  const written = await writeAuditExport(file, { events: EVENTS, agents: AGENTS, checkpointEvery: CHECKPOINT_EVERY, logKey: LOG_KEY });
  if (KEPT_FILE) writeFileSync(summaryFile, JSON.stringify(written));
  return written;
}

/** `ztkeys audit verify`'s path (file, line by line, verdict) over a synthetic export of EVENTS events, beside its bare hashing and Ed25519 work, one core. */
export const auditVerifyBench: Bench = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ztkeys-bench-verify-'));
  try {
    const file = KEPT_FILE ?? join(dir, 'audit.ndjson');
    const written = await exportAt(file);
    const started = process.cpuUsage();
    const { result: verdict, peakMiB } = await peakRss(async () => {
      const verifier = new AuditVerifier({ logKey: LOG_KEY });
      // As `ztkeys audit verify` reads it (src/cli/commands/audit-verify.command.ts).
      for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) verifier.pushText(chunk as string);
      return verifier.finish();
    });
    const used = process.cpuUsage(started);
    const seconds = (used.user + used.system) / 1e6;
    if (!verdict.ok) throw new Error(`the synthetic export does not verify: ${JSON.stringify(verdict.failure)}`);
    const { events, checkpoints } = verdict.orgs[0];
    if (events !== written.events || checkpoints !== written.checkpoints) throw new Error(`verified ${events} events and ${checkpoints} checkpoints of ${written.events} and ${written.checkpoints}`);
    const bare = await bareSeconds(file);
    if (bare.signatures !== written.signatures) throw new Error(`the ceiling verified ${bare.signatures} signatures of ${written.signatures}`);
    return [
      {
        name: `audit verify of a ${events.toLocaleString('en-US')}-event export (${written.signatures.toLocaleString('en-US')} Ed25519 signatures, ${checkpoints.toLocaleString('en-US')} checkpoints), file to verdict, peak RSS ${peakMiB} MiB`,
        value: Math.round(events / seconds),
        unit: 'events/s',
        ceilingName: 'bare SHA-256 leaf hashes + Ed25519 verifications of the same file, same core',
        ceilingValue: Math.round(events / bare.seconds),
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
