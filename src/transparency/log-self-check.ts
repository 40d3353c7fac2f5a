import { Counter, Gauge, type Registry } from 'prom-client';
import { setImmediate } from 'node:timers/promises';
import type { EventStore, RecordedEvent } from '../event-store/event-store.port';
import type { ReadinessCheck } from '../shared/readiness';
import { LogIntegrityCheck, type LogFault } from './log-integrity';
import type { LogKeyring } from './log-keyring';
import { treeRoot } from './merkle-tree';
import type { MerkleNodeStore } from './node-store/merkle-node-store.port';
import { storedNodes } from './node-store/stored-nodes';

/** Events a read takes: checking a page holds the event loop (each event decoded and hashed), 15-25 ms for 250 on a loaded 2-core machine. */
const PAGE = 250;

export interface LogSelfCheckOptions {
  /** Checks again at this interval after the check at start; 0: at start only. */
  intervalMs: number;
  /** Each fault a check finds that the previous one did not report. */
  onFault: (fault: LogFault) => void;
  /** The log could not be read to the end; the next check tries again. */
  onError: (error: unknown) => void;
  /** The node store to compare with what the log re-derives; it is never read for the check of the log itself. */
  nodes?: Pick<MerkleNodeStore, 'org' | 'nodes'>;
  /** The stored nodes of these orgs disagree with the log (each named with why): rebuild them. */
  onNodesDisagree?: (disagreements: string[]) => void;
}

export const describeFault = ({ orgId, index, reason }: LogFault): string => `org ${orgId}, index ${index}: ${reason}`;

/**
 * The server's own check of its stored log (R16): at start and at an interval it reads the whole
 * log (O(events), bounded memory per org, the event loop given back between pages) through
 * LogIntegrityCheck, and again only for a checkpoint far behind the log. Readiness fails while
 * a fault stands, naming the org, the index and why; a counter counts each new detection.
 */
export class LogSelfCheck {
  private faults: LogFault[] = [];
  private disagreements: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly detections: Counter;
  private readonly completed: Gauge;

  readonly readiness: ReadinessCheck = {
    name: 'auditLog',
    ping: async () => {
      if (this.faults.length > 0) throw new Error(`the stored log does not match its signed checkpoints: ${this.faults.map(describeFault).join('; ')}`);
      return true;
    },
  };

  /** Readiness of the node store: fails while its nodes disagree with the root the log re-derives at an org's latest checkpoint. */
  readonly nodesReadiness: ReadinessCheck = {
    name: 'merkleNodes',
    ping: async () => {
      if (this.disagreements.length > 0) throw new Error(`the stored Merkle nodes disagree with the log (proofs of these orgs answer 503; rebuilding them): ${this.disagreements.join('; ')}`);
      return true;
    },
  };

  constructor(
    private readonly events: Pick<EventStore, 'readAll'>,
    private readonly keys: LogKeyring,
    registry: Registry,
    private readonly options: LogSelfCheckOptions,
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
  }

  start(): void {
    void this.check();
    if (this.options.intervalMs > 0) this.timer = setInterval(() => void this.check(), this.options.intervalMs);
  }

  /** Stops the timer and a check under way (between two pages: its partial findings are dropped). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** One check of the whole log; a check already running is awaited rather than doubled. */
  check(): Promise<void> {
    this.running ??= this.run().finally(() => (this.running = undefined));
    return this.running;
  }

  private async run(): Promise<void> {
    const integrity = new LogIntegrityCheck(this.keys);
    try {
      await this.readLog((event) => integrity.apply(event));
      const second = integrity.secondRead();
      if (second) await this.readLog((event) => second.apply(event), () => second.done);
      if (this.stopped) return;
    } catch (error) {
      this.options.onError(error);
      return;
    }
    const found = integrity.faults();
    const known = new Set(this.faults.map(describeFault));
    for (const fault of found.filter((fault) => !known.has(describeFault(fault)))) {
      this.detections.inc();
      this.options.onFault(fault);
    }
    this.faults = found;
    if (this.options.nodes) await this.compareNodes(this.options.nodes, integrity);
    this.completed.set(Date.now() / 1000);
  }

  /**
   * The log from its start, a page at a time, until its end or `enough`. The embedded store
   * answers synchronously: the event loop is given back between pages, or a check of a long log
   * would hold every request for the whole read (9.5 s for 100,000 events).
   */
  private async readLog(apply: (event: RecordedEvent) => void, enough = () => false): Promise<void> {
    for (let after: bigint | undefined; !enough() && !this.stopped; ) {
      const page = await this.events.readAll(after, PAGE);
      for (const event of page) apply(event);
      if (page.length < PAGE) return;
      after = page[page.length - 1].position;
      await setImmediate();
    }
  }

  /** At each org's latest verified checkpoint, the root of the stored nodes must be the one the log gives. */
  private async compareNodes(nodes: NonNullable<LogSelfCheckOptions['nodes']>, integrity: LogIntegrityCheck): Promise<void> {
    const disagreements: string[] = [];
    try {
      for (const { orgId, size, root } of integrity.signedTrees()) {
        const stored = await nodes.org(orgId);
        // A follower still behind the checkpoint is not wrong, only late.
        if (stored === undefined || stored.size < size) continue;
        const read = await storedNodes(nodes, orgId, [{ kind: 'root', size }]);
        if (read === undefined) disagreements.push(`org ${orgId}: nodes of its tree of ${size} are missing`);
        else if (!treeRoot(size, read).equals(root)) disagreements.push(`org ${orgId}: the root of its tree of ${size} is not the one the log gives`);
      }
    } catch (error) {
      this.options.onError(error);
      return;
    }
    this.disagreements = disagreements;
    if (disagreements.length > 0) this.options.onNodesDisagree?.(disagreements);
  }
}
