import type { KeyApproval } from '../replay/replayed-org';

export interface AuditFailure {
  /** 1-based line of the file, 0 when the failure is about the file as a whole. */
  line: number;
  orgId?: string;
  /** Index of the event in its org's tree, for a leaf. */
  leafIndex?: number;
  eventId?: string;
  type?: string;
  reason: string;
  /** The log does not extend the trusted checkpoint: a rewritten or cut history, told apart from other tampering. */
  forked?: true;
  /**
   * The trusted checkpoint is of an org the file holds no event of, while it holds others': the CLI
   * tells it as its user's mistake (the checkpoint of another org given, exit 2, nothing saved); the
   * console, whose export and kept checkpoint are both of its org, as a failure of the export served.
   */
  otherOrg?: true;
  /**
   * No tampering found, but the line holds an event a newer release wrote (a type or schema version
   * this release does not know), the first of the file: its hash and every checkpoint this release
   * opens hold, but its rules, and those of its org's events after it, are that release's to check.
   */
  newerRelease?: true;
  /** With newerRelease: how many checkpoint lines this release could not open (none checked; what only they sign is not verified). */
  unreadCheckpoints?: number;
  /**
   * What the file still proves, by org: the prefixes whose every rule was checked and whose root a
   * signed checkpoint vouches for. Empty when the failure undoes them all (see verifiedDespite).
   */
  verified: VerifiedPrefix[];
}

/** The first `events` events of an org (leaf indexes 0 to events - 1), verified before a failure. */
export interface VerifiedPrefix {
  orgId: string;
  events: number;
  /** The line of the checkpoint whose root was checked over them; absent when it is the trusted checkpoint's. */
  checkpointLine?: number;
}

export interface ActiveKeyReport {
  agentId: string;
  role?: string;
  fingerprint: string;
  /** This key's approval, then the approval of the key that signed it, ... back to the first key. */
  chain: KeyApproval[];
}

export interface OrgReport {
  orgId: string;
  events: number;
  checkpoints: number;
  /** The file's last checkpoint checked; `uncovered`: how many events come after what a signature vouches for (signedEvents). */
  lastCheckpoint?: { size: number; rootHash: string; timestamp?: string; note: string };
  uncovered: number;
  /** The tree was rebuilt up to this size (every event, unless a failure stopped it), with this root. */
  verifiedSize: number;
  rootHash: string;
  trustedCheckpoint?: { size: number; rootHash: string };
  /**
   * The checkpoint to trust next time (--save-checkpoint, the console's): the newest this
   * verification vouches for, the file's last or, when that signs fewer events, the trusted one the
   * file extends. A file whose later checkpoints were dropped never takes a saved one back, which
   * would leave what lies between the two open to a rewrite that verifies.
   */
  checkpointToKeep?: string;
  firstKey?: string;
  activeKeys: ActiveKeyReport[];
}

/**
 * How many of an org's first events a signature vouches for: its file's last checkpoint's, or the
 * trusted checkpoint's when the file extends it and it signs more (a file whose last checkpoint
 * line is gone, the trusted checkpoint signing every event, is verified whole).
 */
export const signedEvents = (org: Pick<OrgReport, 'lastCheckpoint' | 'trustedCheckpoint'>): number => Math.max(org.lastCheckpoint?.size ?? 0, org.trustedCheckpoint?.size ?? 0);

export interface AuditVerdict {
  ok: boolean;
  lines: number;
  orgs: OrgReport[];
  failure?: AuditFailure;
}
