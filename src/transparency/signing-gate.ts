import type { SelfCheckReport } from './log-self-check';

/** What the check of the stored nodes at start found (nodes-check-at-start.ts): what the gate is told. */
export interface NodesAtStart {
  /** Why the stored nodes of an org are not the tree its signed checkpoint or the log gives (none: they agree where compared). */
  disagreements: string[];
  /** The orgs it could not vouch for: held until a check of the whole log. */
  unvouched: string[];
}

/**
 * Which orgs the checkpointer may sign (R16). A checkpoint is a signed statement that stays in
 * the log for good, and the trees it signs are the Merkle follower's, extended from the node
 * store's rows and nodes, which the server does not trust: the gate holds every org from start
 * until a check of the log finds the stored nodes agree with it, and again from any check that
 * finds they disagree (the follower rebuilds them) until a later one agrees.
 *
 * An org whose stored log fails its own check (an event or checkpoint altered, removed,
 * reordered) is held while the fault stands: a checkpoint of it would vouch for a log that
 * fails its own check (and its nodes are not compared). So is one holding a checkpoint the check
 * could not read (NewerEvents.checkpoint): its log is not checked past it. The other orgs are signed still: one
 * org's altered rows must not stop every org's checkpoints; readiness fails meanwhile, naming
 * the fault, for the operator to restore the log.
 *
 * At start, the check of the stored nodes bounded by the orgs (nodes-check-at-start.ts) may vouch
 * first: it releases every org but those it could not vouch for, held until the check of the whole
 * log; one that came after a check of the whole log changes nothing.
 */
export class SigningGate {
  private nodesAgree = false;
  /** Orgs whose log the last check found altered, or holding a checkpoint it could not read. */
  private faulty = new Set<string>();
  /** Orgs the check at start did not vouch for, until a check of the whole log compares the nodes. */
  private unvouched = new Set<string>();
  private wholeLogCompared = false;
  private readonly listeners = new Set<() => void>();

  allows(orgId: string): boolean {
    return this.nodesAgree && !this.faulty.has(orgId) && !this.unvouched.has(orgId);
  }

  /** The check at start of the stored nodes, bounded by the orgs. */
  vouchedAtStart({ disagreements, unvouched }: NodesAtStart): void {
    if (this.wholeLogCompared) return;
    this.nodesAgree = disagreements.length === 0;
    this.unvouched = new Set(unvouched);
    for (const listener of this.listeners) listener();
  }

  /** Each check that read the log to its end; one whose nodes were not compared (or could not be read) leaves their verdict as it was. */
  checked({ faults, newer, disagreements }: Pick<SelfCheckReport, 'faults' | 'newer' | 'disagreements'>): void {
    this.faulty = new Set([...faults.map((fault) => fault.orgId), ...newer.flatMap(({ orgId, checkpoint }) => (checkpoint ? [orgId] : []))]);
    if (disagreements) {
      this.nodesAgree = disagreements.length === 0;
      this.unvouched.clear();
      this.wholeLogCompared = true;
    }
    for (const listener of this.listeners) listener();
  }

  /** True until a check found the nodes agree, and from one that found they disagree until one finds they agree. */
  get holdsEveryOrg(): boolean {
    return !this.nodesAgree;
  }

  /** True while an org waits for a check of the whole log to vouch for the nodes: every org, or those the check at start did not vouch for. */
  get awaitsCheck(): boolean {
    return !this.nodesAgree || this.unvouched.size > 0;
  }

  /** Called after each check: orgs held may be signed now. */
  onChecked(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
