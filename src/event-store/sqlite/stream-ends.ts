import type Database from 'better-sqlite3';
import { LRUCache } from 'lru-cache';

/** How many streams' ends are remembered by default; the least recently learned leave first. */
const LIMIT = 50_000;

/**
 * What one connection knows of where streams end, so that a read past a stream's end (a cache's
 * "anything after revision r?", asked on every load of a hot stream) is answered without a query.
 * It learns an end from its own commits and from its reads, and forgets everything as soon as
 * any other connection (another process or thread on the file) has committed: SQLite's
 * `PRAGMA data_version` changes exactly then, and never for this connection's own commits, which
 * it sees. The pragma is checked at every answer (a read transaction, with its locks on the -shm
 * file: 4-5 µs), so one answered from what is known is as fresh as a query; or, for a reader that
 * began at `freshSince`, once: a check begun after it saw every commit acknowledged before then.
 */
export class StreamEnds {
  /** Per stream: a revision at or past which it has no event (its last revision + 1, or 0 when it has none); none kept with a limit of 0. */
  private readonly ends: LRUCache<string, bigint> | undefined;
  private readonly dataVersion: Database.Statement;
  private version: unknown;
  /** performance.now() as the last check began. */
  private checkedAt = -Infinity;

  /**
   * `limit` 0: a connection that reads no stream twice (the worker threads') remembers none. Else
   * the cache's arrays take 0.8 MiB of heap from the start, and the transparency thread's appends
   * (a checkpoint stream an org) would fill it with ends it never reads, ~130 bytes a stream.
   */
  constructor(db: Database.Database, limit = LIMIT) {
    this.ends = limit > 0 ? new LRUCache<string, bigint>({ max: limit }) : undefined;
    this.dataVersion = db.prepare('PRAGMA data_version').pluck();
    this.version = this.dataVersion.get();
  }

  /** True when the stream is known to have no event at or after `fromRevision` (see ReadStreamOptions for `freshSince`). */
  nothingFrom(stream: string, fromRevision: bigint, freshSince?: number): boolean {
    const end = this.ends?.get(stream);
    if (end === undefined || fromRevision < end) return false;
    return (freshSince !== undefined && this.checkedAt > freshSince) || this.unchangedElsewhere();
  }

  /** A read of the stream from `fromRevision` (all of it from there on) ended at `lastRevision`, or found nothing. */
  read(stream: string, fromRevision: bigint, lastRevision: bigint | undefined): void {
    this.learn(stream, lastRevision === undefined ? fromRevision : lastRevision + 1n);
  }

  /** This connection committed events up to `lastRevision` in the stream. */
  wrote(stream: string, lastRevision: bigint): void {
    this.learn(stream, lastRevision + 1n);
  }

  private learn(stream: string, end: bigint): void {
    // Learnt without a check of its own (a pragma starts a read transaction: 3-4 µs of CPU): should
    // another connection have committed since the last check, the next check still sees it and forgets this too.
    this.ends?.set(stream, end);
  }

  private unchangedElsewhere(): boolean {
    this.checkedAt = performance.now();
    const version = this.dataVersion.get();
    if (version === this.version) return true;
    this.version = version;
    this.ends?.clear();
    return false;
  }
}
