import type { ReadinessCheck } from '../shared/readiness';

/** A write for an org whose stored log fails the server's own check: answered 503 AUDIT_LOG_TAMPERED, nothing appended. */
export class AuditLogTampered extends Error {
  constructor(readonly orgId: string) {
    super(
      `The stored audit log of org ${orgId} does not match its signed checkpoints: no write for it is decided on altered facts until the log is restored and the server's check finds it whole again. Reads still answer.`,
    );
    this.name = 'AuditLogTampered';
  }
}

/** "1 org", "3 orgs". */
const orgs = (count: number): string => `${count} org${count === 1 ? '' : 's'}`;

/**
 * The orgs whose stored log the server's last check found altered (log-self-check.ts), as every
 * process that serves the API knows them: told by the check in this process, or by the cluster's
 * primary for the worker that runs it (cluster-tampered-orgs.ts). While an org stands here the
 * write side refuses its writes (EventWriter): a command decided on altered facts would extend
 * them with the log's authority. Only a later check that finds its log whole releases it: the
 * fault does not heal by itself, an operator restores the log. Readiness fails meanwhile, naming
 * no org (it answers anyone who reaches the port).
 */
export class TamperedOrgs {
  private standing: ReadonlySet<string> = new Set();
  private readonly listeners: ((orgIds: string[]) => void)[] = [];

  readonly readiness: ReadinessCheck = {
    name: 'auditLog',
    ping: async () => {
      if (this.standing.size > 0) throw new Error(`the stored log of ${orgs(this.standing.size)} does not match its signed checkpoints (the server's log names each: "audit log tampered")`);
      return true;
    },
  };

  /** What the last check found: these orgs, and no other. */
  found(orgIds: Iterable<string>): void {
    this.standing = new Set(orgIds);
    for (const listener of this.listeners) listener([...this.standing]);
  }

  /** Each finding, for the processes that learn it from this one. */
  onFound(listener: (orgIds: string[]) => void): void {
    this.listeners.push(listener);
  }

  /** Throws AuditLogTampered while the org's log stands altered. */
  refuseWritesOf(orgId: string): void {
    if (this.standing.has(orgId)) throw new AuditLogTampered(orgId);
  }
}
