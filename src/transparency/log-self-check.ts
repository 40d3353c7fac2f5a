import { setImmediate } from 'node:timers/promises';
import type { EventStore, RecordedEvent } from '../event-store/event-store.port';
import { LogIntegrityCheck, type LogFault } from './log-integrity';
import type { LogKeyring } from './log-keyring';
import { treeRoot } from './merkle-tree';
import type { MerkleNodeStore } from './node-store/merkle-node-store.port';
import { storedNodes } from './node-store/stored-nodes';

/** Events a read takes: checking a page holds the event loop (each event decoded and hashed), 15-25 ms for 250 on a loaded 2-core machine. */
const PAGE = 250;

/** What one check that read the log to its end found. */
export interface SelfCheckReport {
  /** Every fault found, those already reported by an earlier check too. */
  faults: LogFault[];
  /** The orgs whose stored nodes disagree with the log, each named with why (none: they agree); undefined when the nodes were not compared. */
  disagreements?: string[];
}

export interface LogSelfCheckOptions {
  /** Checks again at this interval after the check at start; 0: at start only. */
  intervalMs: number;
  /** Each check that read the log to its end. */
  onChecked: (report: SelfCheckReport) => void;
  /** The log (or the node store) could not be read to the end; the next check tries again. */
  onError: (error: unknown) => void;
  /** The node store to compare with what the log re-derives; it is never read for the check of the log itself. */
  nodes?: Pick<MerkleNodeStore, 'org' | 'nodes'>;
}

/**
 * The server's own check of its stored log (R16): at start and at an interval it reads the whole
 * log (O(events), bounded memory per org, the event loop given back between pages) through
 * LogIntegrityCheck, and again only for a checkpoint far behind the log, and reports what it
 * found; what stands and for how long (readiness, metrics) is SelfCheckStatus's, in the process
 * that serves them, wherever the check runs.
 */
export class LogSelfCheck {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly events: Pick<EventStore, 'readAll'>,
    private readonly keys: LogKeyring,
    private readonly options: LogSelfCheckOptions,
  ) {}

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
    const disagreements = this.options.nodes && (await this.compareNodes(this.options.nodes, integrity));
    this.options.onChecked({ faults: integrity.faults(), ...(disagreements ? { disagreements } : {}) });
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

  /** At each org's latest verified checkpoint, the root of the stored nodes must be the one the log gives; undefined when the store could not be read. */
  private async compareNodes(nodes: NonNullable<LogSelfCheckOptions['nodes']>, integrity: LogIntegrityCheck): Promise<string[] | undefined> {
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
      return undefined;
    }
    return disagreements;
  }
}
