import type Database from 'better-sqlite3';
import type { LogCheckpoint } from '../../event-store/log-divergence';
import { assertOpenedFile, LIMIT_PARAMETER, openSqliteFile, sqliteAnswers } from '../../shared/sqlite-file';
import type { Hash, NodeId } from '../merkle-tree';
import { positionKey, type MerkleNodeStore, type NodeBatch, type OrgTreeState, type SeenCheckpoint } from './merkle-node-store.port';

interface OrgRow {
  org: string;
  size: number;
  root: Buffer | null;
  root_size: number | null;
  position: string;
  signed_size: number | null;
  signed_at: string | null;
  signed_revision: string | null;
  grew_at: number | null;
}

/** Nodes of one level asked at once from which they are read as one range of the primary key. */
const RANGE_READ_AT = 16;

const orgState = (row: OrgRow): OrgTreeState => ({
  orgId: row.org,
  size: row.size,
  // A root kept for another size (an older release moved the size on without it) is not this tree's.
  ...(row.root === null || row.root_size !== row.size ? {} : { root: row.root }),
  position: BigInt(row.position),
  ...(row.signed_size === null ? {} : { signed: { size: row.signed_size, at: row.signed_at!, revision: BigInt(row.signed_revision!) } }),
  ...(row.grew_at === null ? {} : { grewAt: row.grew_at }),
});

/** The node store in an SQLite file of its own (DATA_DIR/merkle-nodes.sqlite): rebuildable, so NORMAL sync. */
export class SqliteMerkleNodeStore implements MerkleNodeStore {
  private readonly db: Database.Database;
  private readonly sql;

  /** With `existing`, the file must be there: a worker thread's connection to the store its process opened (openSqliteFile). */
  constructor(options: { path: string; existing?: boolean }) {
    this.db = openSqliteFile(options.path, 'NORMAL', options.existing);
    // IMMEDIATE: processes opening a fresh or old file at once (a cluster's workers) create or upgrade it one after
    // another; each read its columns, then added those missing, and all but the first failed ('duplicate column name').
    this.db.transaction(() => {
      this.db.exec(`
        CREATE TABLE IF NOT EXISTS merkle_nodes (org TEXT NOT NULL, level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (org, level, idx)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS merkle_orgs (org TEXT PRIMARY KEY, size INTEGER NOT NULL, position TEXT NOT NULL, signed_size INTEGER, signed_at TEXT, signed_revision TEXT) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS merkle_progress (id INTEGER PRIMARY KEY CHECK (id = 1), position TEXT NOT NULL, event_id TEXT);
        CREATE TABLE IF NOT EXISTS merkle_seen_checkpoints (org TEXT PRIMARY KEY, revision TEXT NOT NULL, position TEXT NOT NULL, note_hash BLOB NOT NULL) WITHOUT ROWID;
      `);
      const columns = new Set(this.db.prepare<[], { name: string }>('PRAGMA table_info(merkle_orgs)').all().map(({ name }) => name));
      if (!columns.has('grew_at')) {
        // A file from before the due index: its orgs with unsigned leaves are due now.
        this.db.exec('ALTER TABLE merkle_orgs ADD COLUMN grew_at INTEGER; UPDATE merkle_orgs SET grew_at = 0 WHERE size > coalesce(signed_size, 0);');
      }
      // A file from before the root was kept: an org's root is read from its nodes until its next write.
      if (!columns.has('root')) this.db.exec('ALTER TABLE merkle_orgs ADD COLUMN root BLOB;');
      // The size the kept root is of: the release before root_size updates size without root.
      if (!columns.has('root_size')) this.db.exec('ALTER TABLE merkle_orgs ADD COLUMN root_size INTEGER;');
      // The checkpointer's due orgs: signed_at is ISO-8601 text, which sorts as the time does.
      this.db.exec(`
        CREATE INDEX IF NOT EXISTS merkle_orgs_grew_at ON merkle_orgs (grew_at) WHERE grew_at IS NOT NULL;
        CREATE INDEX IF NOT EXISTS merkle_orgs_signed_at ON merkle_orgs (signed_at) WHERE signed_at IS NOT NULL;
      `);
    }).immediate();
    this.sql = {
      node: this.db.prepare<[string, number, number], { hash: Buffer }>('SELECT hash FROM merkle_nodes WHERE org = ? AND level = ? AND idx = ?'),
      nodeRange: this.db.prepare<[string, number, number, number]>('SELECT idx, hash FROM merkle_nodes WHERE org = ? AND level = ? AND idx BETWEEN ? AND ?').raw(),
      insertNode: this.db.prepare('INSERT OR IGNORE INTO merkle_nodes (org, level, idx, hash) VALUES (?, ?, ?, ?)'),
      upsertOrg: this.db.prepare(`
        INSERT INTO merkle_orgs (org, size, root, root_size, position, signed_size, signed_at, signed_revision, grew_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (org) DO UPDATE SET size = excluded.size, root = excluded.root, root_size = excluded.root_size, position = excluded.position, signed_size = excluded.signed_size,
          signed_at = excluded.signed_at, signed_revision = excluded.signed_revision, grew_at = excluded.grew_at
        WHERE excluded.position > merkle_orgs.position`),
      org: this.db.prepare<[string], OrgRow>('SELECT * FROM merkle_orgs WHERE org = ?'),
      orgs: this.db.prepare<[number], OrgRow>(`SELECT * FROM merkle_orgs ${LIMIT_PARAMETER}`),
      // Two range reads of an index each, stopped at the limit (a UNION would read all of both first).
      grown: this.db.prepare<[number, number], OrgRow>(`SELECT * FROM merkle_orgs WHERE grew_at <= ? ${LIMIT_PARAMETER}`),
      idle: this.db.prepare<[string, number], OrgRow>(`SELECT * FROM merkle_orgs WHERE signed_at <= ? ${LIMIT_PARAMETER}`),
      upsertSeen: this.db.prepare(`
        INSERT INTO merkle_seen_checkpoints (org, revision, position, note_hash) VALUES (?, ?, ?, ?)
        ON CONFLICT (org) DO UPDATE SET revision = excluded.revision, position = excluded.position, note_hash = excluded.note_hash WHERE excluded.position > merkle_seen_checkpoints.position`),
      seen: this.db.prepare<[], { org: string; revision: string; position: string; note_hash: Buffer }>('SELECT * FROM merkle_seen_checkpoints'),
      forgetSeen: this.db.prepare<[string]>('DELETE FROM merkle_seen_checkpoints WHERE position > ?'),
      checkpoint: this.db.prepare<[], { position: string; event_id: string | null }>('SELECT position, event_id FROM merkle_progress WHERE id = 1'),
      upsertCheckpoint: this.db.prepare(`
        INSERT INTO merkle_progress (id, position, event_id) VALUES (1, ?, ?)
        ON CONFLICT (id) DO UPDATE SET position = excluded.position, event_id = excluded.event_id WHERE excluded.position > merkle_progress.position`),
    };
  }

  async init(): Promise<void> {}

  async checkpoint(): Promise<LogCheckpoint | undefined> {
    const row = this.sql.checkpoint.get();
    return row && { position: BigInt(row.position), ...(row.event_id === null ? {} : { eventId: row.event_id }) };
  }

  async org(orgId: string): Promise<OrgTreeState | undefined> {
    const row = this.sql.org.get(orgId);
    return row && orgState(row);
  }

  async orgs(limit: number): Promise<OrgTreeState[]> {
    return this.sql.orgs.all(limit).map(orgState);
  }

  async due(grownBy: number, signedBy: number, limit: number): Promise<OrgTreeState[]> {
    const rows = new Map(this.sql.grown.all(grownBy, limit).map((row) => [row.org, row]));
    for (const row of this.sql.idle.all(new Date(signedBy).toISOString(), limit)) {
      if (rows.size >= limit) break;
      rows.set(row.org, row);
    }
    return [...rows.values()].map(orgState);
  }

  /**
   * A proof's nodes (a few, scattered) are read one by one; the many of one level that a check of
   * the whole log asks together (a page's leaves and the nodes they complete: runs of indexes) one
   * range a level, a seek and a scan of the primary key instead of a seek a node (~7 µs each).
   */
  async nodes(orgId: string, ids: readonly NodeId[]): Promise<Array<Hash | undefined>> {
    const levels = new Map<number, { from: number; to: number; count: number; hashes?: Map<number, Hash> }>();
    for (const { level, index } of ids) {
      const run = levels.get(level);
      if (run) [run.from, run.to, run.count] = [Math.min(run.from, index), Math.max(run.to, index), run.count + 1];
      else levels.set(level, { from: index, to: index, count: 1 });
    }
    return ids.map(({ level, index }) => {
      const run = levels.get(level)!;
      // A range read only where it reads little besides the nodes asked.
      if (run.count < RANGE_READ_AT || run.to - run.from + 1 > 2 * run.count) return this.sql.node.get(orgId, level, index)?.hash;
      run.hashes ??= new Map(this.sql.nodeRange.all(orgId, level, run.from, run.to) as Array<[number, Hash]>);
      return run.hashes.get(index);
    });
  }

  async apply({ nodes, orgs, seen, checkpoint }: NodeBatch): Promise<void> {
    assertOpenedFile(this.db);
    this.db.transaction(() => {
      for (const node of nodes) this.sql.insertNode.run(node.orgId, node.level, node.index, node.hash);
      for (const org of orgs) {
        this.sql.upsertOrg.run(org.orgId, org.size, org.root ?? null, org.root === undefined ? null : org.size, positionKey(org.position), org.signed?.size ?? null, org.signed?.at ?? null, org.signed?.revision.toString() ?? null, org.grewAt ?? null);
      }
      for (const { orgId, revision, position, noteHash } of seen ?? []) this.sql.upsertSeen.run(orgId, revision.toString(), positionKey(position), noteHash);
      this.sql.upsertCheckpoint.run(positionKey(checkpoint.position), checkpoint.eventId ?? null);
    })();
  }

  async seenCheckpoints(): Promise<SeenCheckpoint[]> {
    return this.sql.seen.all().map((row) => ({ orgId: row.org, revision: BigInt(row.revision), position: BigInt(row.position), noteHash: row.note_hash }));
  }

  async forgetCheckpointsAfter(head: bigint | undefined): Promise<void> {
    this.sql.forgetSeen.run(head === undefined ? '' : positionKey(head));
  }

  async clear(): Promise<void> {
    this.db.exec('DELETE FROM merkle_nodes; DELETE FROM merkle_orgs; DELETE FROM merkle_progress;');
  }

  async ping(): Promise<boolean> {
    return sqliteAnswers(this.db);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
