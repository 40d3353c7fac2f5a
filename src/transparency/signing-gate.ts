import type { SelfCheckReport } from './log-self-check';

/**
 * Which orgs the checkpointer may sign (R16). A checkpoint is a signed statement that stays in
 * the log for good, and the trees it signs are the Merkle follower's, extended from the node
 * store's rows and nodes, which the server does not trust: the gate holds every org from start
 * until a check of the log finds the stored nodes agree with it, and again from any check that
 * finds they disagree (the follower rebuilds them) until a later one agrees.
 *
 * An org whose stored log fails its own check (an event or checkpoint altered, removed,
 * reordered) is held while the fault stands: a checkpoint of it would vouch for a log that
 * fails its own check (and its nodes are not compared). The other orgs are signed still: one
 * org's altered rows must not stop every org's checkpoints; readiness fails meanwhile, naming
 * the fault, for the operator to restore the log.
 */
export class SigningGate {
  private nodesAgree = false;
  private faulty = new Set<string>();
  private readonly listeners = new Set<() => void>();

  allows(orgId: string): boolean {
    return this.nodesAgree && !this.faulty.has(orgId);
  }

  /** Each check that read the log to its end; one whose nodes were not compared (or could not be read) leaves their verdict as it was. */
  checked({ faults, disagreements }: SelfCheckReport): void {
    this.faulty = new Set(faults.map((fault) => fault.orgId));
    if (disagreements) this.nodesAgree = disagreements.length === 0;
    for (const listener of this.listeners) listener();
  }

  /** True until a check found the nodes agree, and from one that found they disagree until one finds they agree. */
  get holdsEveryOrg(): boolean {
    return !this.nodesAgree;
  }

  /** Called after each check: orgs held may be signed now. */
  onChecked(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
