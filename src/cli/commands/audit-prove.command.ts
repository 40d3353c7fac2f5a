import { checkpointTime } from '../../transparency/checkpoint';
import { leafInput, type LeafRecord } from '../../transparency/event-leaf';
import { leafHash, verifyInclusion } from '../../transparency/merkle-tree';
import { AgentSession } from '../agent-session';
import { witnessLog } from '../audit-witness';
import { WITNESS_OPTIONS, witnessRequirement } from '../witness-requirement';
import { checkFailed, CliError, usageError } from '../cli-error';
import type { CommandSpec } from '../command-spec';
import { EXIT } from '../exit-codes';
import { MAX_RECORD_BYTES } from '../export-file-ends';
import { readBoundedText } from '../read-bounded-text';
import { jsonTextFault, numberSpelled } from '../../shared/json-text-fault';
import { sentence } from '../../shared/hidden-characters';
import { withoutByteOrderMark } from '../../shared/byte-order-mark';

/** The record in the file: one JSON object naming its eventId, as an export line or an item of GET .../audit-log carries it. */
function readRecord(path: string): LeafRecord {
  const text = withoutByteOrderMark(readBoundedText('the record', path, MAX_RECORD_BYTES, 'no audit record is that long'));
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch {
    throw usageError(`${path} is not JSON: give one audit record (a line of the export, or an item of GET .../audit-log).`);
  }
  // JSON.parse keeps a repeated member's last value, and of a number the digits a double holds, which the leaf then covers; a reader of the file keeping the first value, or every digit, would see another record proven (as audit verify refuses such a line).
  const fault = jsonTextFault(text, Infinity, 'canonical');
  if (fault?.kind === 'duplicateName') throw usageError(`${path} names ${JSON.stringify(fault.name)} twice in one object: readers disagree on which value it holds, so no proof says which record it is.`);
  if (fault?.kind === 'numberSpelling') throw usageError(`${numberSpelled(path, fault)}, so no proof says which record it is.`);
  if (typeof record !== 'object' || record === null || Array.isArray(record) || typeof (record as { eventId?: unknown }).eventId !== 'string') {
    throw usageError(`${path} is no audit record: a JSON object with its eventId (a line of the export, or an item of GET .../audit-log).`);
  }
  return record as LeafRecord;
}

export const auditProveCommand: CommandSpec = {
  path: ['audit', 'prove'],
  summary: "Prove that an audit record you hold is in the org's signed log: its inclusion proof, asked by event id, checked here against the witnessed checkpoint (ADMIN, SUPER_ADMIN, AUDITOR)",
  details: [
    'Usage: ztkeys audit prove record.json   (one record: a line of the export or an item of GET .../audit-log, as JSON)',
    "First witnesses the org's checkpoint as audit export does (exit 7 if the log does not extend the one this CLI saw, or lacks the cosignatures of --witness-key), then",
    "computes the record's leaf itself (README: leaf of an event) and checks the server's proof of it against that checkpoint's root.",
    'Exit 0 proven; 5 the proof does not hold for this record (altered, or not what the server signed); 3 the server refused (no such event, or no checkpoint covers it yet).',
  ].join('\n'),
  args: [{ name: 'record' }],
  options: WITNESS_OPTIONS,
  async run(input, ctx) {
    const record = readRecord(input.args.record);
    const witnesses = witnessRequirement(input);
    const session = AgentSession.open(ctx);
    // The leaf leaves orgId out (an item of GET .../audit-log has one; the checkpoint's origin names the org): proven here, a record naming another would seem proven there.
    const { orgId } = record as { orgId?: unknown };
    if (orgId !== undefined && orgId !== session.org.orgId) {
      throw checkFailed(sentence`NOT PROVEN: the record is of org ${orgId}, not of org ${session.org.orgId}, whose log this profile asks about: the proof would not be of the record as it reads.`);
    }
    const checkpoint = await witnessLog(session, witnesses);
    if (!checkpoint) throw new CliError(EXIT.REFUSED, 'The server serves no signed checkpoint of this org yet: nothing proves the record. Ask again once one is signed.');
    const query = { eventId: record.eventId, size: checkpoint.size };
    const answer = await session.api.ok(session.api.http.GET('/v1/orgs/{orgId}/audit-log/inclusion', { params: { path: session.org, query } }));
    const leaf = leafHash(leafInput(record));
    const proof = answer.proof.map((hash) => Buffer.from(hash, 'base64'));
    if (answer.eventId !== record.eventId || answer.size !== checkpoint.size || !verifyInclusion(leaf, answer.index, checkpoint.size, proof, checkpoint.rootHash)) {
      throw checkFailed(
        sentence`NOT PROVEN: the server's proof for event ${record.eventId} (leaf ${answer.index}) does not put this record's leaf ${leaf.toString('base64')} in the checkpoint of ${checkpoint.size} events signed by the log key: the record was altered, or it is not the event the log holds.`,
      );
    }
    const time = checkpointTime(checkpoint);
    const signedAt = time !== undefined && !Number.isNaN(time.getTime()) ? time.toISOString() : 'an unstated time';
    ctx.output.result(
      sentence`Proven: event ${record.eventId} (${record.type}) is leaf ${answer.index} of the org's log, in the checkpoint of ${checkpoint.size} events signed at ${signedAt}.`,
      { proven: true, eventId: record.eventId, index: answer.index, size: checkpoint.size, leafHash: leaf.toString('base64'), rootHash: checkpoint.rootHash.toString('base64'), signedAt },
    );
  },
};
