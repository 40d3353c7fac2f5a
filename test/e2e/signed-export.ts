import { parseCheckpoint } from '../../src/transparency/checkpoint';
import { CHECKPOINT_SIGNED } from '../../src/transparency/log-checkpointer';
import { parseNote } from '../../src/transparency/signed-note';
import { waitFor } from '../notifications/support/wait-for';
import { call, type TestAgent } from '../support/api-client';
import type { TestServer } from '../support/test-server';

/** A line of the NDJSON export, parsed. */
export type ExportLine = Record<string, any>;

type Reader = Pick<TestAgent, 'orgId' | 'token'>;

/** The org's export as the agent reads it, one parsed line per event. */
export async function exportLines(server: TestServer, agent: Reader): Promise<ExportLine[]> {
  const reply = await call(server, 'GET', `/v1/orgs/${agent.orgId}/audit-log/export`, agent.token);
  if (reply.status !== 200) throw new Error(`the export answered ${reply.status}: ${JSON.stringify(reply.body)}`);
  return String(reply.body).split('\n').filter(Boolean).map((line) => JSON.parse(line) as ExportLine);
}

/** The org's export and latest checkpoint, read once both cover every event. */
export interface SignedLog {
  /** Every line of the export, checkpoint lines included. */
  lines: ExportLine[];
  /** The org's events: the lines that are leaves of its tree. */
  leaves: ExportLine[];
  /** The signed note the checkpoint endpoint served, which covers every leaf. */
  note: string;
}

/**
 * Waits until the checkpoint served signs every event of the org and the export holds that
 * checkpoint's own line (`until` may ask for more, such as a given event): the export and the
 * checkpointer may each be a step behind the log, and an export read just before the checkpointer
 * appends holds every leaf but not the line of the note read just after. The export is a heavy
 * read (30 a minute per agent): while the checkpoint is behind the leaves of the last export, only
 * the checkpoint is read again, and an export behind the checkpoint is read again at most 4 times
 * a second, so a slow checkpointer or projector under load does not spend the budget.
 */
export const signedLog = (server: TestServer, agent: Reader, until: (leaves: ExportLine[]) => boolean = () => true): Promise<SignedLog> => {
  let leaves: ExportLine[] | undefined;
  let readAt = 0;
  return waitFor('a checkpoint of every event', async () => {
    const reply = await call<string>(server, 'GET', `/v1/orgs/${agent.orgId}/audit-log/checkpoint`, agent.token);
    const size = reply.status === 200 ? parseCheckpoint(parseNote(reply.body).text).size : undefined;
    if (leaves !== undefined && (size === undefined || size < leaves.length || Date.now() - readAt < 250)) return false;
    readAt = Date.now();
    const lines = await exportLines(server, agent);
    leaves = lines.filter((line) => line.type !== CHECKPOINT_SIGNED);
    const lineOfNote = lines.some((line) => line.type === CHECKPOINT_SIGNED && line.data.size === size);
    return size === leaves.length && lineOfNote && until(leaves) && { lines, leaves, note: reply.body };
  });
};

/**
 * The org's export once a checkpoint of every event is in it: `audit verify` vouches for no event
 * after the last checkpoint (exit 9), and the checkpointer signs a growth moments after it.
 */
export const signedExport = async (server: TestServer, agent: Reader): Promise<ExportLine[]> => (await signedLog(server, agent)).lines;
