/**
 * The thread of one check of the embedded log (see self-check-thread.ts): reads the log on a
 * connection of its own, compares the node store if told to, posts its report (none if it could not read the log to its end) and ends when its
 * parent stops it (at the report, or to drop a check under way).
 */
import { workerData } from 'node:worker_threads';
import { SqliteEventStore } from '../event-store/sqlite/sqlite-event-store';
import { runInBackground } from '../shared/background-priority';
import { parseVerifierKeys } from '../transparency/log-keyring';
import { checkLogHere } from '../transparency/log-self-check';
import { SqliteMerkleNodeStore } from '../transparency/node-store/sqlite-merkle-node-store';
import type { SelfCheckThreadData, SelfCheckThreadMessage } from './self-check-thread';
import { serveThread, toThreadError } from './worker-thread';

const data = workerData as SelfCheckThreadData;

// Nothing waits on a check (it reads the whole log at every interval): the API's requests come first.
runInBackground();

serveThread<SelfCheckThreadMessage>(async (post) => {
  // It reads the whole log a page at a time, no stream: no stream end to remember (0.8 MiB of heap).
  // Started again at each check: a DATA_DIR moved away meanwhile must not be made anew at its path (existing).
  // The fields the audit trail reads by SQL, read as SQL reads them: the check checks what the trail shows.
  const events = new SqliteEventStore({ path: data.eventLogPath, streamEnds: 0, existing: true, auditFieldsAsQueried: true });
  const nodes = data.merkleNodesPath === undefined ? undefined : new SqliteMerkleNodeStore({ path: data.merkleNodesPath, existing: true });
  const stopping = new AbortController();
  const check = checkLogHere(events, parseVerifierKeys(data.keyring.join(',')), nodes);
  const checked = check(stopping.signal, (error) => post({ kind: 'error', error: toThreadError(error) })).then((report) => post({ kind: 'ended', report }));
  return async () => {
    stopping.abort();
    try {
      await checked;
    } finally {
      await nodes?.close();
      await events.close();
    }
  };
});
