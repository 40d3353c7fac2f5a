import type { EventStore } from '../event-store/event-store.port';
import type { StalledAtEvent } from '../event-store/stalled-at-event';
import { LogCheckpointer } from './log-checkpointer';
import type { LogKey } from './log-key';
import { checkLogHere, LogSelfCheck, type CheckLog, type SelfCheckReport } from './log-self-check';
import { MerkleFollower } from './merkle-follower';
import { checkNodesAtStart } from './nodes-check-at-start';
import type { MerkleNodeStore } from './node-store/merkle-node-store.port';
import { SigningGate } from './signing-gate';

export interface LogTransparencySettings {
  /** LOG_CHECKPOINTS: keep the Merkle nodes and sign checkpoints here (off: another process does both, the check runs still). */
  checkpoints: boolean;
  checkpointDelayMs: number;
  checkpointIdleMs: number;
  /** LOG_ORGS_IN_MEMORY: the follower's bound. */
  orgsInMemory: number;
  selfCheckIntervalMs: number;
}

/**
 * While the gate holds every org, a check that could not vouch for the nodes (the log or the node
 * store unreadable) is run again after this pause, not at the next interval (10 minutes by default).
 */
const RECHECK_WHILE_HELD_MS = 5000;

/** Which part failed: each is logged under its own name. */
export type TransparencyPart = 'merkleNodes' | 'checkpoints' | 'selfCheck' | 'thread';

/** What the transparency work tells the role that runs it, wherever it runs. */
export interface TransparencyReports {
  /** A check of the whole log read it to its end. */
  onChecked(report: SelfCheckReport): void;
  /** The follower stored a batch, up to this position of the log. */
  onFollowed(position: bigint | undefined): void;
  onError(part: TransparencyPart, error: unknown): void;
  /** The Merkle follower waits at an event this release cannot read (said once; it retries it after each pause). */
  onStalled(stall: StalledAtEvent): void;
}

/** The transparency work while it runs, and how to stop it. */
export interface RunningTransparency {
  /** Stops the check, the checkpointer and the follower, storing what it was delivered. */
  stop(): Promise<void>;
  /** Settles if it ends on its own (its worker thread died): the role starts it again. */
  readonly ended: Promise<void>;
}

/** Starts the transparency work of the process (in its own event loop, or on a worker thread). */
export type StartTransparency = (reports: TransparencyReports) => RunningTransparency;

/**
 * The log's transparency work of the projector role: the Merkle follower keeping the node store,
 * the checkpointer signing its trees, and the server's own check of the log, which rebuilds the
 * node store when its nodes disagree with the log and then checks again. The checkpointer signs
 * only what the checks vouched for (signing-gate.ts): nothing from start until a check found the
 * stored nodes agree with the log, nor from a check that found they disagree until one after the
 * rebuild agrees, nor an org whose log fails the check. Each of them reads the
 * log through the event store it is given: the API's own (networked stores), or connections of
 * the transparency thread's own (embedded).
 */
export class LogTransparency implements RunningTransparency {
  readonly ended = new Promise<void>(() => undefined);
  private readonly follower: MerkleFollower | undefined;
  private readonly checkpointer: LogCheckpointer | undefined;
  private readonly selfCheck: LogSelfCheck;
  private readonly gate = new SigningGate();
  private recheck: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly checkNodesAtStart: () => ReturnType<typeof checkNodesAtStart>;

  /** `checkLog`: where each check of the log runs, given whether it compares the stored nodes; in this event loop, on these stores, by default. */
  constructor(
    events: EventStore,
    nodes: MerkleNodeStore,
    key: LogKey,
    settings: LogTransparencySettings,
    private readonly reports: TransparencyReports,
    checkLog: (compareNodes: boolean) => CheckLog = (compareNodes) => checkLogHere(events, key.keyring, compareNodes ? nodes : undefined),
  ) {
    const follower = settings.checkpoints ? new MerkleFollower(events, nodes, {
          maxOrgs: settings.orgsInMemory,
          onError: (error) => reports.onError('merkleNodes', error),
          onStalled: (stall) => reports.onStalled(stall),
        }) : undefined;
    follower?.onStored(() => reports.onFollowed(follower.position));
    this.follower = follower;
    // Copies of the projector role each run one: the checkpoint streams' expected revisions let one checkpoint per state through.
    this.checkpointer = follower
      ? new LogCheckpointer(events, key, follower, this.gate, {
          delayMs: settings.checkpointDelayMs,
          idleMs: settings.checkpointIdleMs,
          onError: (error) => reports.onError('checkpoints', error),
        })
      : undefined;
    this.checkNodesAtStart = () => checkNodesAtStart(events, nodes, key.keyring, settings.orgsInMemory);
    // The nodes are compared only where this process keeps them.
    this.selfCheck = new LogSelfCheck(checkLog(follower !== undefined), {
      intervalMs: settings.selfCheckIntervalMs,
      onChecked: (report) => {
        reports.onChecked(report);
        this.gate.checked(report);
        if (report.disagreements?.length) this.rebuildNodes();
        else this.checkAgainWhileHeld();
      },
      onError: (error) => {
        reports.onError('selfCheck', error);
        this.checkAgainWhileHeld();
      },
    });
  }

  start(): void {
    // The stored nodes are checked as the stopped server left them, before the follower extends them from the log.
    void (this.follower ? this.vouchAtStart(this.follower) : undefined);
    this.checkpointer?.start();
    this.selfCheck.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.recheck);
    await this.selfCheck.stop();
    await this.checkpointer?.stop();
    await this.follower?.stop();
  }

  /**
   * The check of the stored nodes bounded by the orgs, beside the check of the whole log: the
   * checkpointer need not wait for the latter (O(events)) when the former agrees. It reads the
   * nodes before the follower starts (an org the follower had extended beyond its checkpoint
   * would not be vouched for), and vouches once the follower has subscribed (the checkpointer
   * then waits for its catch-up). When it finds disagreements, every org stays held and the
   * check of the whole log, under way, finds them too and rebuilds the nodes (one rebuild, not two racing).
   */
  private async vouchAtStart(follower: MerkleFollower): Promise<void> {
    let found;
    try {
      found = await this.checkNodesAtStart();
    } catch (error) {
      // Every org stays held until the check of the whole log.
      if (!this.stopped) this.reports.onError('merkleNodes', error);
    }
    if (this.stopped) return;
    // Subscribed after its checkpoint: where it stands before any batch (none comes on a log it has caught up with).
    await follower.start().then(
      () => this.reports.onFollowed(follower.position),
      (error: unknown) => this.reports.onError('merkleNodes', error),
    );
    if (!found || this.stopped) return;
    this.gate.vouchedAtStart(found);
    if (found.disagreements.length) this.reports.onError('merkleNodes', new Error(`the stored nodes disagree with the log at start (${found.disagreements.join('; ')}); nothing signed until the check of the log`));
  }

  /** The follower rebuilds the node store from the log, then the check runs again (readiness fails until it agrees). */
  private rebuildNodes(): void {
    void this.follower?.rebuild().then(
      () => this.selfCheck.check(),
      (error: unknown) => {
        this.reports.onError('merkleNodes', error);
        this.checkAgainWhileHeld();
      },
    );
  }

  /** The checkpointer signs nothing until a check vouches for the nodes: one that could not is not left to the next interval. */
  private checkAgainWhileHeld(): void {
    if (!this.checkpointer || !this.gate.awaitsCheck || this.stopped || this.recheck) return;
    this.recheck = setTimeout(() => {
      this.recheck = undefined;
      void this.selfCheck.check();
    }, RECHECK_WHILE_HELD_MS);
  }
}

/** The transparency work in this process's own event loop, on its stores (networked: their reads hardly hold it). */
export const startTransparencyInProcess =
  (events: EventStore, nodes: MerkleNodeStore, key: LogKey, settings: LogTransparencySettings): StartTransparency =>
  (reports) => {
    const work = new LogTransparency(events, nodes, key, settings, reports);
    work.start();
    return work;
  };
