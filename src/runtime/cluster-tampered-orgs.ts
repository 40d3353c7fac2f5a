import cluster, { type Worker } from 'node:cluster';
import type { TamperedOrgs } from '../application/tampered-orgs';
import { onChannel, sendToPrimary, sendToWorker } from '../rate-limits/cluster-ipc';
import type { OrgsFinding } from '../transparency/orgs-finding';

/** The IPC messages of the orgs found tampered, told from the cluster's own and the limits' by their channel. */
const CHANNEL = 'ztkeys_tampered_orgs';

type Message = { channel: typeof CHANNEL; finding: OrgsFinding } | { channel: typeof CHANNEL; asks: true };

const isOurs = onChannel(CHANNEL);

/**
 * In the cluster's primary: the self-check runs in worker 0 (the projector role) while every
 * worker serves writes, so what each of its checks found is passed to every worker, and to one
 * that asks (a worker starting after the check it would have missed). A cluster that runs no check
 * (ROLES=api) learns the findings as one API process does (shared-tampered-orgs.ts), into `followed`,
 * and passes them on alike. Called before the workers are forked.
 */
export function relayTamperedOrgsToWorkers(followed?: TamperedOrgs): void {
  let finding: OrgsFinding = { tampered: [], unreadCheckpoints: [] };
  const relay = (message: Message & { finding: OrgsFinding }, from?: Worker): void => {
    finding = message.finding;
    for (const worker of Object.values(cluster.workers ?? {})) if (worker && worker !== from) sendToWorker(worker, message);
  };
  // Read every second: passed on when it changed.
  followed?.onFound((found) => {
    if (JSON.stringify(found) !== JSON.stringify(finding)) relay({ channel: CHANNEL, finding: found });
  });
  cluster.on('message', (from, message: Message) => {
    if (!isOurs(message)) return;
    if ('asks' in message) return sendToWorker(from, { channel: CHANNEL, finding });
    relay(message, from);
  });
}

/**
 * In a cluster worker: the worker that runs the check tells the primary what each check found
 * (`checks`); the others learn it from the primary, asking once for what was found before they listened.
 */
export function shareTamperedOrgs(tampered: TamperedOrgs, checks: boolean): void {
  if (checks) return tampered.onFound((finding) => sendToPrimary({ channel: CHANNEL, finding } satisfies Message));
  process.on('message', (message: Message) => {
    if (isOurs(message) && 'finding' in message) tampered.found(message.finding);
  });
  sendToPrimary({ channel: CHANNEL, asks: true } satisfies Message);
}
