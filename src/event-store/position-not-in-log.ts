/**
 * The log holds no event at a position a reader asked to read or resume after: the checkpoint of
 * a consumer that outlived a restore of an older copy of the log, pointing where no record of this
 * log begins. Not transient: the same log refuses it again. The consumer learns why from the log
 * itself (logDivergence) and rebuilds from it; until then its readers of the log from that
 * position get this error, which they handle (a page's log tail, the lag metric), not a 503.
 */
export class PositionNotInLog extends Error {
  constructor(
    readonly position: bigint,
    cause: Error,
  ) {
    super(`the event log holds no event at position ${position} to read after (${cause.message})`, { cause });
    this.name = 'PositionNotInLog';
  }
}
