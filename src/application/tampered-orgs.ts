import { NotOfThisRelease } from '../domain/events/decode';
import type { ReadinessCheck } from '../shared/readiness';
import type { OrgsFinding, UnreadCheckpoint } from '../transparency/orgs-finding';

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
 *
 * Likewise the orgs whose checkpoints the check could not read (a newer release's, or relabelled
 * so: the version is no part of what the log key signs): their log is not checked past the last
 * checkpoint read, so their writes are refused as those of a stream holding a newer release's
 * event are (NotOfThisRelease), until a check reads them.
 */
export class TamperedOrgs {
  private standing: ReadonlySet<string> = new Set();
  private unread: ReadonlyMap<string, UnreadCheckpoint> = new Map();
  private readonly listeners: ((finding: OrgsFinding) => void)[] = [];

  readonly readiness: ReadinessCheck = {
    name: 'auditLog',
    ping: async () => {
      if (this.standing.size > 0) throw new Error(`the stored log of ${orgs(this.standing.size)} does not match its signed checkpoints (the server's log names each: "audit log tampered")`);
      return true;
    },
  };

  /** What the last check found: these orgs, and no other. */
  found(finding: OrgsFinding): void {
    this.standing = new Set(finding.tampered);
    this.unread = new Map(finding.unreadCheckpoints.map((unread) => [unread.orgId, unread]));
    for (const listener of this.listeners) listener({ tampered: [...this.standing], unreadCheckpoints: [...this.unread.values()] });
  }

  /** Each finding, for the processes that learn it from this one. */
  onFound(listener: (finding: OrgsFinding) => void): void {
    this.listeners.push(listener);
  }

  /** Throws AuditLogTampered while the org's log stands altered, NotOfThisRelease while its checkpoints cannot be read. */
  refuseWritesOf(orgId: string): void {
    if (this.standing.has(orgId)) throw new AuditLogTampered(orgId);
    const unread = this.unread.get(orgId);
    if (unread) throw new NotOfThisRelease(unread.type, unread.schemaVersion, "a checkpoint of the org's log this release cannot read: it does not check the log past it");
  }
}
