import { Counter, Gauge, type Registry } from 'prom-client';
import type { ReadinessCheck } from '../shared/readiness';
import type { OrgsFinding } from './orgs-finding';
import type { LogFault, NewerEvents } from './log-integrity';
import type { SelfCheckReport } from './log-self-check';

export const describeFault = ({ orgId, index, reason }: LogFault): string => `org ${orgId}, index ${index}: ${reason}`;

/** Orgs named in full in the line about a newer release's events; the others counted. */
const NAMED_ORGS = 10;

/** The one line a check that met a newer release's events says (a rolling upgrade under way): not tampering, and what to do. */
export function describeNewerEvents(newer: readonly NewerEvents[]): string {
  const named = newer.slice(0, NAMED_ORGS).map(({ orgId, count, position, type, schemaVersion }) => `org ${orgId}: ${count} from position ${position}, the first ${type} v${schemaVersion}`);
  const more = newer.length > NAMED_ORGS ? `; and ${counted(newer.length - NAMED_ORGS, 'other org')}` : '';
  const unread = newer.filter(({ checkpoint }) => checkpoint).length;
  const checkpoints =
    unread === 0
      ? ''
      : `; ${counted(unread, 'org')} hold${unread === 1 ? 's' : ''} checkpoints this release cannot read: their orgs' writes are refused until a release that reads them checks their log (with no newer release running, those checkpoints were altered)`;
  return (
    `audit log holds events a newer ztkeys wrote (${named.join('; ')}${more}): their hashes are checked against the signed checkpoints, but this release reads none of them${checkpoints}; ` +
    'finish the upgrade (every ztkeys process on the newer release), or, downgraded on purpose, restore the backup taken before upgrading'
  );
}

export interface SelfCheckStatusOptions {
  /** Each fault a check found that the previous one did not report. */
  onFault: (fault: LogFault) => void;
  /** A check found the stored nodes of these orgs disagree with the log (each named with why); the follower rebuilds them. */
  onNodesDisagree: (disagreements: string[]) => void;
  /** Each check that met events a newer release wrote (no fault): the orgs, each with its first such event and their count. */
  onNewerEvents: (newer: NewerEvents[]) => void;
}

/** Told the orgs of each check's standing faults and unread checkpoints: the write side's TamperedOrgs, which refuses their writes. */
export interface TamperedOrgsSink {
  found(finding: OrgsFinding): void;
}

/** "1 finding", "3 findings". */
const counted = (count: number, what: string): string => `${count} ${what}${count === 1 ? '' : 's'}`;

/**
 * What the server's own check of its log (log-self-check.ts) last found, held by the process that
 * serves readiness and metrics, wherever the check runs: the orgs whose log it found altered go to
 * `tampered` (their writes refused, readiness failing while one stands); readiness fails while the
 * node store disagrees with the log, saying how many findings; a counter counts each new
 * detection, a gauge says when a check last finished, another how many events a newer release
 * wrote it met (no fault: one warning line a check, onNewerEvents). Readiness answers anyone who reaches the
 * port, so it names no org, index or position: the server's log does (onFault, onNodesDisagree).
 */
export class SelfCheckStatus {
  private faults: LogFault[] = [];
  private disagreements: string[] = [];
  private readonly detections: Counter;
  private readonly completed: Gauge;
  private readonly newer: Gauge;

  /** Readiness of the node store: fails while its nodes disagree with the root the log re-derives at an org's latest checkpoint. */
  readonly nodesReadiness: ReadinessCheck = {
    name: 'merkleNodes',
    ping: async () => {
      if (this.disagreements.length > 0) {
        throw new Error(`the stored Merkle nodes disagree with the log (${counted(this.disagreements.length, 'finding')}; the proofs of the orgs concerned answer 503 until they are rebuilt; the server's log names each: "Merkle node store disagrees")`);
      }
      return true;
    },
  };

  constructor(
    registry: Registry,
    private readonly tampered: TamperedOrgsSink,
    private readonly options: SelfCheckStatusOptions,
  ) {
    this.detections = new Counter({
      name: 'ztkeys_audit_log_tampering_detected_total',
      help: "Faults the server's check of the stored log against its signed checkpoints found (an org's log altered, cut, reordered, or a checkpoint that does not verify), each counted once",
      registers: [registry],
    });
    this.completed = new Gauge({
      name: 'ztkeys_audit_log_self_check_completed_timestamp_seconds',
      help: "Unix time the server's last check of the stored log finished, having read it to its end (faults found or not); 0 before the first",
      registers: [registry],
    });
    this.newer = new Gauge({
      name: 'ztkeys_audit_log_newer_release_events',
      help: "Events a newer release wrote that the server's last check of the stored log met (a rolling upgrade under way): checked against the signed checkpoints as stored, no fault, but this release reads none of them",
      registers: [registry],
    });
  }

  /** A check read the log to its end. */
  checked({ faults, newer, disagreements }: SelfCheckReport): void {
    const known = new Set(this.faults.map(describeFault));
    for (const fault of faults.filter((fault) => !known.has(describeFault(fault)))) {
      this.detections.inc();
      this.options.onFault(fault);
    }
    this.faults = faults;
    const unreadCheckpoints = newer.flatMap(({ orgId, checkpoint }) => (checkpoint ? [{ orgId, type: checkpoint.type, schemaVersion: checkpoint.schemaVersion }] : []));
    this.tampered.found({ tampered: faults.map((fault) => fault.orgId), unreadCheckpoints });
    if (disagreements) {
      this.disagreements = disagreements;
      if (disagreements.length > 0) this.options.onNodesDisagree(disagreements);
    }
    this.newer.set(newer.reduce((sum, org) => sum + org.count, 0));
    if (newer.length > 0) this.options.onNewerEvents(newer);
    this.completed.set(Date.now() / 1000);
  }
}
