/** The first record of an org's checkpoint stream this release cannot read: its type and schema version. */
export interface UnreadCheckpoint {
  orgId: string;
  type: string;
  schemaVersion: number;
}

/** What a check of the log found that refuses writes: the orgs whose log it found altered, and those whose checkpoints it cannot read. */
export interface OrgsFinding {
  tampered: string[];
  unreadCheckpoints: UnreadCheckpoint[];
}
