import type { DomainEvent } from '../shared/domain-event';

/**
 * A signed checkpoint of one org's Merkle tree (R16), kept in the org's checkpoint stream so it
 * replicates and exports with the log. Not a leaf of the tree it signs.
 */
export type CheckpointSigned = DomainEvent<
  'CheckpointSigned',
  {
    /** Tree size the checkpoint covers: the org's events before it, checkpoints not counted. */
    size: number;
    /** The whole signed note (C2SP tlog-checkpoint in a signed-note). */
    note: string;
  }
>;

export type CheckpointEvent = CheckpointSigned;
