import { setImmediate } from 'node:timers/promises';
import type { EventStore, RecordedEvent } from '../event-store/event-store.port';
import { DEFAULT_PENDING_WINDOW, LogIntegrityCheck, type LogFault, type NewerEvents } from './log-integrity';
import type { LogKeyring } from './log-keyring';
import { treeRoot, type Hash } from './merkle-tree';
import type { MerkleNodeStore, OrgTreeState } from './node-store/merkle-node-store.port';
import { storedNodes } from './node-store/stored-nodes';
import { StoredNodesComparison } from './node-store/stored-nodes-comparison';
import { SeenCheckpointsCheck } from './seen-checkpoints-check';

/** Events a read takes: checking a page holds the event loop (each event decoded and hashed), 15-25 ms for 250 on a loaded 2-core machine. */
const PAGE = 250;

/** What one check that read the log to its end found. */
export interface SelfCheckReport {
  /** Every fault found, those already reported by an earlier check too. */
  faults: LogFault[];
  /** The orgs whose log holds events a newer release wrote: no fault (their leaves are checked as stored), but this release reads none of them. */
  newer: NewerEvents[];
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
}

/**
 * One check of the whole log, wherever it runs: its report, or undefined when it was stopped
 * (`signal`) or could not read the log to its end (told to `onError`). A report whose nodes could
 * not be read has no disagreements, the error told to `onError` too.
 */
export type CheckLog = (signal: AbortSignal, onError: (error: unknown) => void) => Promise<SelfCheckReport | undefined>;

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
  private readonly stopping = new AbortController();

  constructor(
    private readonly checkLog: CheckLog,
    private readonly options: LogSelfCheckOptions,
  ) {}

  start(): void {
    void this.check();
    if (this.options.intervalMs > 0) this.timer = setInterval(() => void this.check(), this.options.intervalMs);
  }

  /** Stops the timer and a check under way (between two pages: its partial findings are dropped). */
  async stop(): Promise<void> {
    this.stopping.abort();
    clearInterval(this.timer);
    await this.running;
  }

  /** One check of the whole log; a check already running is awaited rather than doubled. */
  check(): Promise<void> {
    this.running ??= this.run().finally(() => (this.running = undefined));
    return this.running;
  }

  private async run(): Promise<void> {
    const report = await this.checkLog(this.stopping.signal, this.options.onError);
    if (report) this.options.onChecked(report);
  }
}

/**
 * The check in this event loop, reading the log through `events`; the stored nodes are compared
 * with what the log re-derives when `nodes` is given (they are never read for the check of the log itself).
 */
export const checkLogHere =
  (events: Pick<EventStore, 'readAll'>, keys: LogKeyring, nodes?: Pick<MerkleNodeStore, 'org' | 'nodes' | 'seenCheckpoints'>): CheckLog =>
  async (signal, onError) => {
    const integrity = new LogIntegrityCheck(keys, DEFAULT_PENDING_WINDOW, { completedNodes: nodes !== undefined });
    const everyNode = nodes && new StoredNodesComparison(nodes);
    const comparePage = everyNode && (() => everyNode.compare(integrity.takeCompletedNodes()));
    let seen: SeenCheckpointsCheck | undefined;
    try {
      // Read before the log: each is then at or before the log's end, unless the log lost it.
      seen = nodes && new SeenCheckpointsCheck(await nodes.seenCheckpoints());
      await readLog(
        events,
        signal,
        (event) => {
          integrity.apply(event);
          seen?.apply(event);
        },
        comparePage,
      );
      const second = integrity.secondRead();
      if (second) await readLog(events, signal, (event) => second.apply(event), undefined, () => second.done);
      if (signal.aborted) return undefined;
    } catch (error) {
      onError(error);
      return undefined;
    }
    const disagreements = nodes && (await compareNodes(nodes, integrity, onError));
    // The roots compared fold each org's last leaves in: their nodes too.
    await comparePage?.();
    const nodeDisagreements = everyNode?.result(onError);
    const found = disagreements && nodeDisagreements && [...disagreements, ...nodeDisagreements];
    return { faults: withSeenCheckpoints(integrity, seen), newer: integrity.newerEvents(), ...(found ? { disagreements: found } : {}) };
  };

/** The log's faults, and for each org without one the fault of a checkpoint the node store saw and the log lost. */
function withSeenCheckpoints(integrity: LogIntegrityCheck, seen: SeenCheckpointsCheck | undefined): LogFault[] {
  const faults = integrity.faults();
  if (seen === undefined) return faults;
  const vouched = new Map(integrity.trees().map(({ orgId, signed }) => [orgId, signed?.size ?? 0]));
  const faulty = new Set(faults.map(({ orgId }) => orgId));
  const lost = seen.faults((orgId) => vouched.get(orgId) ?? 0).filter(({ orgId }) => !faulty.has(orgId));
  return [...faults, ...lost];
}

/**
 * The log from its start, a page at a time, until its end or `enough`. The embedded store
 * answers synchronously: the event loop is given back between pages, or a check of a long log
 * would hold every request for the whole read (9.5 s for 100,000 events).
 */
async function readLog(
  events: Pick<EventStore, 'readAll'>,
  signal: AbortSignal,
  apply: (event: RecordedEvent) => void,
  afterPage?: () => Promise<void>,
  enough = () => false,
): Promise<void> {
  for (let after: bigint | undefined; !enough() && !signal.aborted; ) {
    const page = await events.readAll(after, PAGE);
    for (const event of page) apply(event);
    await afterPage?.();
    if (page.length < PAGE) return;
    after = page[page.length - 1].position;
    await setImmediate();
  }
}

/**
 * At each org's latest verified checkpoint, the root of the stored nodes must be the one the log
 * gives, and so must the root the org's row keeps at that size (what the checkpointer signs for an
 * org out of memory); and where the store holds more of the org than the checkpoint signed (the
 * leaves stored but not signed yet, what the checkpointer signs next), its row's root and its nodes'
 * at that size must be the log's too. Undefined when the store could not be read.
 */
async function compareNodes(nodes: Pick<MerkleNodeStore, 'org' | 'nodes'>, integrity: LogIntegrityCheck, onError: (error: unknown) => void): Promise<string[] | undefined> {
  const disagreements: string[] = [];
  const compare = async (orgId: string, stored: OrgTreeState, size: number, root: Hash): Promise<void> => {
    disagreements.push(...(await storedTreeDisagreement(nodes, stored, size, root)));
  };
  try {
    for (const { orgId, signed, rootAt } of integrity.trees()) {
      const stored = await nodes.org(orgId);
      // A follower still behind the checkpoint is not wrong, only late.
      if (stored === undefined || stored.size < (signed?.size ?? 0)) continue;
      if (signed) await compare(orgId, stored, signed.size, signed.root);
      const beyond = stored.size > (signed?.size ?? 0) ? rootAt(stored.size) : undefined;
      if (beyond) await compare(orgId, stored, stored.size, beyond);
    }
  } catch (error) {
    onError(error);
    return undefined;
  }
  return disagreements;
}

/**
 * Why the org's stored tree of `size` is not the one whose root is `root` (none when it is): the
 * root of its stored nodes at that size, and the root its row keeps when the row is at that size.
 */
export async function storedTreeDisagreement(nodes: Pick<MerkleNodeStore, 'nodes'>, stored: OrgTreeState, size: number, root: Hash): Promise<string[]> {
  const { orgId } = stored;
  const disagreements: string[] = [];
  if (stored.size === size && stored.root && !stored.root.equals(root)) disagreements.push(`org ${orgId}: the root its row keeps for its tree of ${size} is not the one the log gives`);
  const read = await storedNodes(nodes, orgId, [{ kind: 'root', size }]);
  if (read === undefined) disagreements.push(`org ${orgId}: nodes of its tree of ${size} are missing`);
  else if (!treeRoot(size, read).equals(root)) disagreements.push(`org ${orgId}: the root of its tree of ${size} is not the one the log gives`);
  return disagreements;
}
