import { signedTime, type Checkpoint } from '../checkpoint';
import { checkAfterAnchor, checkCoveredByAnchor, checkStreamTime, type TimeAnchor } from '../event-times';
import { OrgReplay } from '../log-replay';
import { EMPTY_ROOT, type Hash } from '../merkle-tree';
import type { NoteVerifier } from '../signed-note';
import { ForkViolation } from './fork-violation';
import { b64, OrgTree } from './org-tree';

/** A checkpoint and the log key that signed it. */
export type SignedCheckpoint = Checkpoint & { signedBy: NoteVerifier };

/** What the verifier holds of one org while it reads the file: its tree, its replay, and what each next event and checkpoint is checked against. */
export class OrgVerification {
  readonly replay: OrgReplay;
  readonly tree: OrgTree;
  readonly revisions = new Map<string, number>();
  /** Each stream's latest event time (ms): time never goes back within a stream (event-times.ts). */
  readonly times = new Map<string, number>();
  /** The position of the org's last event that gave one: positions rise in log order. */
  lastPosition?: number;
  checkpoints = 0;
  last?: SignedCheckpoint;
  /** The last checkpoint whose root was checked against the events before it (not one left to the second read), and its line. */
  lastChecked?: { size: number; line: number };
  /** From the org's first event a newer release wrote on, its events are hashed but not replayed (their state is that release's): what was checked before it. */
  newer?: { lastChecked?: { size: number; line: number } };
  lastNote?: string;
  trustedMatched = false;
  /**
   * The trusted checkpoint's size and signed time, and the earlier one's (when they have one): each
   * bounds the time of every event (event-times.ts). With each, the latest event time before its
   * size, and its index: checked once that prefix is found to be the trusted one's.
   */
  private readonly anchors: Array<{ anchor: TimeAnchor; latestCovered?: { at: number; index: number } }>;

  constructor(
    readonly orgId: string,
    private readonly trusted: Checkpoint | undefined,
    window: number,
    earlier?: Checkpoint,
  ) {
    this.replay = new OrgReplay(orgId);
    this.anchors = [trusted, earlier].flatMap((checkpoint) => {
      const at = checkpoint && signedTime(checkpoint);
      return at ? [{ anchor: { size: checkpoint!.size, at } }] : [];
    });
    this.tree = new OrgTree(window, (size, root) => {
      if (this.trusted && size === this.trusted.size) this.checkTrusted(root());
    });
    if (trusted?.size === 0) this.checkTrusted(EMPTY_ROOT);
  }

  /** The time of the event about to be the leaf at `index` of stream `stream`. */
  checkTime(stream: string, index: number, occurredAt: string): void {
    this.times.set(stream, checkStreamTime(stream, this.times.get(stream), occurredAt));
    for (const kept of this.anchors) {
      if (index >= kept.anchor.size) checkAfterAnchor(kept.anchor, occurredAt);
      else if (kept.latestCovered === undefined || Date.parse(occurredAt) > kept.latestCovered.at) kept.latestCovered = { at: Date.parse(occurredAt), index };
    }
  }

  private checkTrusted(root: Hash): void {
    if (!root.equals(this.trusted!.rootHash)) {
      throw new ForkViolation(
        `this log is not an extension of the trusted checkpoint: at size ${this.trusted!.size} its root is ${b64(root)}, the saved checkpoint says ${b64(this.trusted!.rootHash)} (history was rewritten)`,
      );
    }
    this.trustedMatched = true;
    // Only now: a prefix that is not the trusted one is a fork (exit 7), whatever its times. The earlier one is a prefix of it.
    for (const { anchor, latestCovered } of this.anchors) checkCoveredByAnchor(anchor, latestCovered);
  }
}
