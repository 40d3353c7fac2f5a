import { createReadStream, existsSync, statSync, writeFileSync } from 'node:fs';
import { AuditVerifier } from '../../transparency/audit-verifier';
import { signedEvents, type AuditFailure, type AuditVerdict, type OrgReport } from '../../transparency/verifier/audit-verdict';
import { parseVerifierKeys } from '../../transparency/log-keyring';
import { DEFAULT_PENDING_WINDOW } from '../../transparency/log-integrity';
import { newerReleaseVerdict } from '../../transparency/newer-release-verdict';
import { verifiedDespiteFailure } from '../../transparency/verified-despite-failure';
import { onOneLineShown, sentence } from '../../shared/hidden-characters';
import { InvalidNote, type NoteVerifier } from '../../transparency/signed-note';
import type { CliContext } from '../cli-context';
import { CliError, usageError } from '../cli-error';
import type { CommandSpec } from '../command-spec';
import { EXIT } from '../exit-codes';
import { readKeyOrNote, verifierKeysOption } from '../verifier-keys-option';
import { cosignatureShortfall, WITNESS_OPTIONS, witnessRequirement } from '../witness-requirement';
import { withoutByteOrderMark } from '../../shared/byte-order-mark';

/** Progress is shown every this many lines: on a terminal on one line, else as plain lines. */
const PROGRESS_EVERY = 100_000;

const KEY_FORM = 'name+keyid+base64, as GET /v1/log-key serves it';

/** The log's verifier keys, oldest first: the current one last, earlier ones (before a rotation) before it. */
const logKeysOf = (value: string): NoteVerifier[] => verifierKeysOption('log-key', value, parseVerifierKeys, KEY_FORM);

/** Chunks of this size: fewer, larger reads, while memory stays constant. */
const READ_CHUNK_BYTES = 1 << 20;

async function verifyFile(file: string, verifier: AuditVerifier, ctx: CliContext): Promise<void> {
  if (!existsSync(file)) throw usageError(`No such file: ${file}`);
  await readFile(file, verifier, verifier, ctx);
  // A checkpoint far behind the events before it: the verifier kept too few leaves to check its root, and reads the file again.
  const again = verifier.secondRead();
  if (!again) return;
  // A pipe (`<(ztkeys audit export)`, a FIFO, /dev/stdin) gives its lines once: opened again it gave none (exit 6, "events were removed"), or a FIFO waited for a writer for ever.
  if (!statSync(file).isFile())
    throw usageError(
      sentence`${file} is no regular file (a pipe or a device): it cannot be read a second time, which this export needs (a checkpoint in it signs a size more than ${DEFAULT_PENDING_WINDOW} events behind the events before it, whose root is checked on a second read). Save the export to a file and verify that file.`,
    );
  await readFile(file, again, verifier, ctx);
}

async function readFile(file: string, reader: Pick<AuditVerifier, 'pushText'>, verifier: AuditVerifier, ctx: CliContext): Promise<void> {
  const stderr = ctx.io.stderr as NodeJS.WriteStream;
  const started = Date.now();
  let shown = 0;
  try {
    for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: READ_CHUNK_BYTES })) {
      reader.pushText(chunk as string);
      if (verifier.failed) break;
      const count = verifier.lineCount;
      if (count - shown >= PROGRESS_EVERY) {
        shown = count - (count % PROGRESS_EVERY);
        const rate = Math.round(count / Math.max(0.001, (Date.now() - started) / 1000));
        stderr.write(stderr.isTTY ? `\r  ${count.toLocaleString('en')} lines checked (${rate.toLocaleString('en')}/s)` : `${count} lines checked (${rate}/s)\n`);
      }
    }
  } catch (error) {
    // The file system's refusal (a directory, no permission, an I/O error): not a bug of ztkeys.
    if (typeof (error as NodeJS.ErrnoException).code !== 'string') throw error;
    throw usageError(`Cannot read the audit export ${file}: ${(error as Error).message}`);
  }
  if (stderr.isTTY && shown > 0) stderr.write('\n');
}

const short = (fingerprint: string): string => fingerprint.slice(0, 16);

function orgLines(org: OrgReport): string[] {
  const covered = org.lastCheckpoint
    ? `verified up to the checkpoint of size ${org.lastCheckpoint.size}${org.lastCheckpoint.timestamp ? ` (${org.lastCheckpoint.timestamp})` : ''}`
    : 'no checkpoint: nothing is signed yet';
  const lines = [
    `${sentence`org ${org.orgId}`}: ${org.events} events, ${org.checkpoints} checkpoints, ${covered}`,
    ...(org.uncovered > 0 ? [`  ${events(org.uncovered)} after the last checkpoint: signed by no checkpoint, NOT verified (${org.uncovered === 1 ? 'a signed statement in it holds, but nothing vouches that the log held it' : 'signed statements in them hold, but nothing vouches that the log held them'})`] : []),
    `  root of the ${org.events} events: ${org.rootHash}`,
    ...(org.trustedCheckpoint ? [`  the trusted checkpoint (size ${org.trustedCheckpoint.size}) is a prefix of this log`] : []),
    `  first key: ${org.firstKey ?? '-'}`,
    `  keys ACTIVE at the end, each with its approval chain back to the first key:`,
  ];
  for (const key of org.activeKeys) {
    const chain = key.chain.map((link) => sentence`${link.agentId} ${short(link.fingerprint)} ${link.mode}${link.approvedBy === undefined ? '' : ` by ${link.approvedBy}`}`);
    lines.push(`    ${sentence`${key.agentId} (${key.role ?? 'removed'})`}: ${chain.join(' <- ')}`);
  }
  return lines;
}

const events = (count: number): string => `${count} event${count === 1 ? '' : 's'}`;

/**
 * Events no checkpoint signs are checked like the others, but the log key vouches for none of
 * them: whoever holds the file may have appended them (an unsigned promotion, a made-up org).
 */
function uncoveredText(file: string, orgs: OrgReport[]): string {
  const parts = orgs.map((org) => {
    const signed = signedEvents(org);
    const which = signed > (org.lastCheckpoint?.size ?? 0) ? 'the trusted checkpoint' : 'its checkpoint';
    return org.lastCheckpoint || org.trustedCheckpoint
      ? sentence`${events(org.uncovered)} of org ${org.orgId} after ${which} of size ${signed} ${org.uncovered === 1 ? 'is' : 'are'} signed by no checkpoint`
      : sentence`${events(org.uncovered)} of org ${org.orgId} ${org.uncovered === 1 ? 'is' : 'are'} signed by no checkpoint (it has none)`;
  });
  const total = orgs.reduce((sum, org) => sum + org.uncovered, 0);
  return (
    `${sentence`The audit log ${file}`} is NOT VERIFIED past its last checkpoint: ${parts.join('; ')}, so nothing vouches for what ${total === 1 ? 'it says' : 'they say'}. ` +
    'If the export was taken within seconds of a change, export again once the server has signed it.'
  );
}

/** The failure, on one line (its ids and reason name what the file holds), then how far the file was verified. */
function failureText(file: string, failure: AuditFailure): string {
  const { line, orgId, leafIndex, eventId, type, reason, forked, newerRelease, unreadCheckpoints } = failure;
  const where = line === 0 ? 'the file as a whole' : sentence`line ${line}${type ? ` (${type} ${eventId}${leafIndex !== undefined ? `, event ${leafIndex} of org ${orgId}` : ''})` : ''}`;
  if (newerRelease) return `${sentence`The audit log ${file}`} ${newerReleaseVerdict(where, onOneLineShown(reason), unreadCheckpoints)}\n${verifiedDespiteFailure(failure)}`;
  const verdict = forked ? 'is FORKED: it does not extend the trusted checkpoint' : 'is INVALID or TAMPERED';
  return `${sentence`The audit log ${file}`} ${verdict}. First problem at ${where}: ${onOneLineShown(reason)}\n${verifiedDespiteFailure(failure)}`;
}

/** A key fingerprint, as the verdict's "first key:" line prints it (the approval chains show its first 16 digits only). */
const FINGERPRINT = /^[0-9a-f]{64}$/i;

/** The pinned first key: one that is no fingerprint matches no key, and the verdict would blame the log for it. */
function firstKeyOption(value: string | undefined): string | undefined {
  if (value === undefined || FINGERPRINT.test(value)) return value;
  throw usageError(`--first-key is no key fingerprint: give its 64 hex digits, as the verdict's "first key:" line prints them.`);
}

/**
 * A checkpoint kept for a month passes through editors and copies: a byte order mark, CRLF line
 * ends, a last newline dropped or a blank line added are no part of the note (its signature covers
 * its text alone, as LF lines), and are read past, as in the export. Any other change still fails to open.
 */
function noteAsKept(text: string): string {
  return `${withoutByteOrderMark(text).replace(/\r\n/g, '\n').replace(/\n+$/, '')}\n`;
}

/** The same file, through a link or another name: what a path names once the links are followed. */
function sameFile(path: string, other: string): boolean {
  const [a, b] = [statSync(path, { throwIfNoEntry: false }), statSync(other, { throwIfNoEntry: false })];
  return a !== undefined && b !== undefined && a.dev === b.dev && a.ino === b.ino;
}

/** Refused before the file is read: the checkpoint written over the export or a key file would lose what it was verified with. */
function checkSaveTarget(save: string | undefined, inputs: { option: string; path: string }[]): void {
  if (save === undefined) return;
  const overwritten = inputs.find(({ path }) => sameFile(save, path));
  if (overwritten)
    throw usageError(sentence`--save-checkpoint ${save} is ${overwritten.option}: the checkpoint would be written over it. Give a file of its own (saved.checkpoint).`);
}

function saveCheckpoint(path: string, verdict: AuditVerdict): void {
  const [org, ...others] = verdict.orgs;
  if (others.length > 0 || org.checkpointToKeep === undefined) throw usageError(`--save-checkpoint needs a file of one org with a checkpoint; this one has ${verdict.orgs.length} org(s)${org.checkpointToKeep === undefined ? ' and no checkpoint' : ''}.`);
  try {
    writeFileSync(path, org.checkpointToKeep);
  } catch (error) {
    throw usageError(`Cannot write ${path}: ${(error as Error).message}`);
  }
}

export const auditVerifyCommand: CommandSpec = {
  path: ['audit', 'verify'],
  summary: 'Verify an audit export offline: its Merkle tree, signed checkpoints and every signed statement (R16)',
  details: [
    'Usage: ztkeys audit verify audit.ndjson --log-key log-key.txt [--trusted-checkpoint saved.checkpoint [--witness-key witness-keys.txt [--witness-quorum N]]] [--save-checkpoint saved.checkpoint] [--first-key FPR] [--json]',
    'No network. Exit codes: 0 verified, 6 invalid or tampered (the first bad line and why, then how far it was verified), 7 not an extension of the trusted checkpoint, or the trusted checkpoint lacks the cosignatures of --witness-key, 9 verified up to the last checkpoint but events after it are signed by none (export again once the server signed them), 10 holds events a newer ztkeys wrote, no tampering found (verify it with that release), 2 usage (among them a trusted checkpoint of an org the file holds no event of), 1 the verifier itself failed (a bug: no verdict about the log).',
  ].join('\n'),
  args: [{ name: 'file' }],
  options: {
    'log-key': { type: 'string', valueName: 'vkey', required: true, description: 'the log verifier key (or a file holding it), as GET /v1/log-key serves it; after a rotation, the earlier keys first, then the current one, separated by white space or commas' },
    'trusted-checkpoint': { type: 'string', valueName: 'file', description: 'a checkpoint saved earlier: this log must extend it' },
    'save-checkpoint': { type: 'string', valueName: 'file', description: "once verified, write the newest checkpoint it vouches for there (the file's last, or the trusted one when that is newer): next time, pass it as --trusted-checkpoint" },
    'first-key': { type: 'string', valueName: 'fingerprint', description: "the fingerprint (64 hex digits) the org's first key must have" },
    ...WITNESS_OPTIONS,
  },
  async run(input, ctx) {
    const file = input.args.file;
    const [logKey, ...earlier] = logKeysOf(input.strings['log-key']!).reverse();
    const trusted = input.strings['trusted-checkpoint'];
    const firstKey = firstKeyOption(input.strings['first-key']);
    checkSaveTarget(input.strings['save-checkpoint'], [
      { option: 'the audit export verified', path: file },
      { option: 'the --log-key file', path: input.strings['log-key']! },
      ...(input.strings['witness-key'] ?? '').split('\n').map((path) => ({ option: 'a --witness-key file', path })),
    ]);
    const witnesses = witnessRequirement(input);
    if (witnesses && trusted === undefined) throw usageError('--witness-key needs --trusted-checkpoint: the checkpoint, as GET .../audit-log/checkpoint served it with its cosignatures, that this log must extend.');
    const trustedNote = trusted === undefined ? undefined : noteAsKept(readKeyOrNote('the trusted checkpoint', trusted));
    // The witnesses vouch that the trusted checkpoint is the one history they saw; the file must then extend it.
    const shortfall = witnesses && cosignatureShortfall(trustedNote!, witnesses);
    if (shortfall) throw new CliError(EXIT.FORKED, `The trusted checkpoint ${trusted} is NOT WITNESSED: ${shortfall}.`);
    let verifier: AuditVerifier;
    try {
      verifier = new AuditVerifier({
        logKey,
        earlierLogKeys: earlier.reverse(),
        ...(trusted !== undefined && { trustedCheckpoint: trustedNote! }),
        ...(firstKey !== undefined && { firstKey }),
      });
    } catch (error) {
      if (error instanceof InvalidNote) throw new CliError(EXIT.TAMPERED, `The trusted checkpoint ${trusted} does not open with the log key: ${error.message}`);
      throw error;
    }
    await verifyFile(file, verifier, ctx);
    const verdict: AuditVerdict = verifier.finish();
    // The checkpoint of another org than the file's: the auditor's mistake, no verdict on the log (nothing is saved).
    if (verdict.failure?.otherOrg) throw usageError(`${sentence`--trusted-checkpoint ${trusted}`}: ${onOneLineShown(verdict.failure.reason)}: give the checkpoint of the org you verify.`);
    if (!verdict.ok) {
      if (ctx.output.json) ctx.output.result('', verdict);
      const { forked, newerRelease } = verdict.failure!;
      throw new CliError(forked ? EXIT.FORKED : newerRelease ? EXIT.NEWER_RELEASE : EXIT.TAMPERED, failureText(file, verdict.failure!), { failure: verdict.failure });
    }
    const save = input.strings['save-checkpoint'];
    if (save !== undefined) saveCheckpoint(save, verdict);
    const uncovered = verdict.orgs.filter((org) => org.uncovered > 0);
    const headline = uncovered.length > 0 ? 'Audit log verified up to its last checkpoint, NOT past it' : 'Audit log verified';
    ctx.output.result([`${headline}: ${file} (${verdict.lines} lines)`, ...verdict.orgs.flatMap(orgLines)].join('\n'), verdict);
    if (uncovered.length > 0) throw new CliError(EXIT.UNCOVERED, uncoveredText(file, uncovered));
  },
};
