/**
 * The right of one process among many to run something that must run once (the projector).
 * Every copy asks for it; one holds it, the others wait as standbys and take over when the
 * holder lets go or stops renewing.
 */
export interface Lease {
  /**
   * Resolves once this process holds the lease, waiting as a standby meanwhile. Rejects with
   * the signal's reason when the signal aborts first.
   */
  acquire(signal?: AbortSignal): Promise<HeldLease>;
}

export interface HeldLease {
  /** Tells this holder apart in logs and in the store. */
  readonly owner: string;
  /**
   * Settles (never rejects) when the lease is no longer safely ours: another process took it,
   * or it could not be renewed in time. The holder must stop the guarded work then.
   */
  readonly lost: Promise<void>;
  /** Lets the lease go at once, so a standby takes over without waiting for expiry. */
  release(): Promise<void>;
}
