/**
 * The transparency thread (see transparency-thread.ts): runs the Merkle follower and the
 * checkpointer on connections of its own to the embedded event log and node store, and each
 * check of the log on a thread of its own (self-check-thread.ts), so that reading the whole log
 * never holds the API's event loop. It reports each check's findings, the follower's position
 * after every batch and failures, and stops (storing what the follower was delivered) when told.
 */
import { workerData } from 'node:worker_threads';
import type { StalledAtEvent } from '../event-store/stalled-at-event';
import { SqliteEventStore } from '../event-store/sqlite/sqlite-event-store';
import { logKeyOf } from '../transparency/log-key';
import { parseVerifierKeys } from '../transparency/log-keyring';
import type { SelfCheckReport } from '../transparency/log-self-check';
import { LogTransparency, type TransparencyPart } from '../transparency/log-transparency';
import { SqliteMerkleNodeStore } from '../transparency/node-store/sqlite-merkle-node-store';
import { parseSignerKey } from '../transparency/signed-note';
import { checkLogOnThread } from './self-check-thread';
import type { TransparencyThreadData, TransparencyThreadMessage } from './transparency-thread';
import { serveThread, toThreadError } from './worker-thread';

const data = workerData as TransparencyThreadData;

serveThread<TransparencyThreadMessage>(async (post) => {
  // It reads no stream twice: the ends of the streams it appends (a checkpoint stream an org) would only take heap.
  // The files its process opened at start (existing): a DATA_DIR moved away meanwhile is not made anew.
  const events = new SqliteEventStore({ path: data.eventLogPath, streamEnds: 0, existing: true });
  const nodes = new SqliteMerkleNodeStore({ path: data.merkleNodesPath, existing: true });
  const key = logKeyOf(parseSignerKey(data.signerKey), parseVerifierKeys(data.keyring.join(',')));
  const reports = {
    onChecked: (report: SelfCheckReport) => post({ kind: 'checked', report }),
    onFollowed: (position: bigint | undefined) => post({ kind: 'followed', position }),
    onError: (part: TransparencyPart, error: unknown) => post({ kind: 'error', part, error: toThreadError(error) }),
    onStalled: (stall: StalledAtEvent) => post({ kind: 'stalled', stall }),
  };
  // Each check on a thread of its own, which gives back what the check allocated when it ends (self-check-thread.ts).
  const checkLog = (compareNodes: boolean) => checkLogOnThread({ eventLogPath: data.eventLogPath, merkleNodesPath: compareNodes ? data.merkleNodesPath : undefined, keyring: data.keyring });
  const work = new LogTransparency(events, nodes, key, data.settings, reports, checkLog);
  work.start();
  return async () => {
    try {
      await work.stop();
    } finally {
      await nodes.close();
      await events.close();
    }
  };
});
