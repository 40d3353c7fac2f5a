import { CHECKPOINT_SIGNED } from '../../src/transparency/log-checkpointer';
import { waitFor } from '../notifications/support/wait-for';
import { call, type TestAgent } from '../support/api-client';
import type { TestServer } from '../support/test-server';

/** A line of the NDJSON export, parsed. */
export type ExportLine = Record<string, any>;

/** The org's export as the agent reads it, one parsed line per event. */
export async function exportLines(server: TestServer, agent: Pick<TestAgent, 'orgId' | 'token'>): Promise<ExportLine[]> {
  const reply = await call(server, 'GET', `/v1/orgs/${agent.orgId}/audit-log/export`, agent.token);
  if (reply.status !== 200) throw new Error(`the export answered ${reply.status}: ${JSON.stringify(reply.body)}`);
  return String(reply.body).trim().split('\n').map((line) => JSON.parse(line) as ExportLine);
}

/**
 * The org's export once its last line is a checkpoint of every event: `audit verify` vouches for
 * no event after the last checkpoint (exit 9), and the checkpointer signs a growth moments after it.
 */
export const signedExport = (server: TestServer, agent: Pick<TestAgent, 'orgId' | 'token'>): Promise<ExportLine[]> =>
  waitFor('a checkpoint of every event', async () => {
    const lines = await exportLines(server, agent);
    const last = lines.at(-1);
    return last?.type === CHECKPOINT_SIGNED && last.data.size === lines.filter((line) => line.type !== CHECKPOINT_SIGNED).length && lines;
  });
