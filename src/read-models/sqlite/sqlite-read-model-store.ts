import type Database from 'better-sqlite3';
import { basename } from 'node:path';
import { openSqliteFile, sqliteAnswers } from '../../shared/sqlite-file';
import { SqliteWriteFaults, storeFaultOf } from '../../shared/sqlite-write-faults';
import { StoreUnavailable } from '../../shared/store-unavailable';
import { BatchDocuments, type DocumentWrite, type StoredDocuments } from '../batch-documents';
import { DocumentCache } from '../document-cache';
import type { StoredDocument } from '../../../projections/apply-change';
import type { CollectionName, Conditions, ReadModelDocument, VersionedChange } from '../../../projections/document-change';
import { PROJECTIONS } from '../../../projections/projections';
import type { ReadModelName } from '../../../projections/projection';
import type { CountQuery, CountsQuery, DocumentQuery, DocumentsJson, DocumentsReducer, ModelBatch, QueryPlan, ReadModelStore } from '../read-model-store.port';
import { reducedJson } from '../reduce-documents';
import { documentsJson } from '../documents-json';
import type { CountMoves } from '../count-moves';
import { checkFieldName, checkQueryField, COLLECTION_COUNTS, COLLECTION_INDEXES, COLLECTION_UPGRADES, countsName, generationName, generationOf, indexName, modelOf, RETIRED_INDEXES, type FollowingValue } from '../read-model-schema';
import { checkQueryValue } from '../query-value';
import { execInWorker } from './exec-in-worker';
import { ReadsWorker } from './reads-worker';
import { columnValues, fieldColumns, fieldSql, jsonFieldSql, type ColumnValue } from './field-columns';
import { EventLogAuditTrail } from './event-log-audit-trail';
import { planIsIndexed } from './plan-is-indexed';
import { limitSql, orderSql, queryConditionsSql } from './query-conditions-sql';

export interface SqliteReadModelStoreOptions {
  /** Database file; its folder must exist. Several processes may open it (WAL). */
  path: string;
  /**
   * The embedded event log's file: the audit trail is then answered from the log's own table
   * (EventLogAuditTrail) instead of a copy the projector writes. Without it (a KurrentDB log),
   * the audit-log projection fills a table here as every other read model.
   */
  eventLogPath?: string;
  /** The file must exist: a worker thread's connection to the store its process opened (openSqliteFile). */
  existing?: boolean;
  /** Told what init upgraded or repaired in place in the file (for the start's log). */
  onInPlaceChange?: (message: string, kind: 'upgrade' | 'repair') => void;
}

/**
 * The WAL is copied back into the file once it holds this many pages (64 MiB) rather than
 * SQLite's 1,000: a catch-up's batches rewrite the same pages, which a checkpoint then copies
 * once, not at nearly every commit (checkpoints were most of the commit time of a catch-up).
 */
export const READ_MODEL_WAL_AUTOCHECKPOINT_PAGES = 16_384;

/**
 * Documents reduceJson reads and reduces on the caller's thread (a few ms of it, so a small answer
 * never waits behind a large one on the reads worker); past this many, on that worker (issue 14).
 */
export const REDUCED_HERE_UP_TO = 2_000;

/** Documents a batch finds in memory instead of reading them (about 20-40 MB): an org's agents, say. */
const CACHED_DOCUMENTS = 20_000;

type Binding = string | number | null;

interface DocumentStatements {
  read: Database.Statement;
  /** Writes the row whole, every column. */
  upsert: Database.Statement;
  insert: Database.Statement;
  delete: Database.Statement;
  /** Updates of a stored row by the columns they assign besides version and document (a bit per field column), prepared at first use. */
  updates: Map<number, Database.Statement>;
}

/** A generation's documents as a batch reads them, with the column values of those it read. */
interface BatchReads extends StoredDocuments {
  /** The field columns of a stored row the batch read, as they were before it: undefined when none was stored. */
  columnsBefore(collection: CollectionName, id: string): ColumnValue[] | undefined;
}

/** What fold made of a model's batch: its documents as the batch leaves them, and the writeMark they were read at. */
interface FoldedBatch {
  batch: ModelBatch;
  mark: string;
  reads: BatchReads;
  documents: BatchDocuments;
}

interface Row {
  id: string;
  version: string;
  document: string;
}

const table = (collection: CollectionName, generation: number): string => `"${generationName(collection, generation)}"`;
const countsTable = (collection: CollectionName, generation: number): string => `"${countsName(collection, generation)}"`;
const markKey = ({ model, generation }: Pick<ModelBatch, 'model' | 'generation'>): string => `${model}:${generation}`;

/**
 * Embedded read models: one SQLite table per collection and generation, each row a JSON document
 * with its version and the fields the collection's indexes name in columns of their own
 * (field-columns.ts), which the indexes and queries use. A batch of changes and its
 * checkpoint commit in one transaction, and the versions make replays harmless anyway.
 */
export class SqliteReadModelStore implements ReadModelStore {
  readonly servedFromLog: ReadonlySet<ReadModelName>;
  private readonly auditTrail: EventLogAuditTrail | undefined;
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  /** Documents as this connection's batches committed them, by table. */
  private readonly cache = new DocumentCache(CACHED_DOCUMENTS);
  /**
   * Each generation's checkpoint row as this connection's last batch of it committed the row
   * (writeMark), by model and generation: while the row is still so, no other connection wrote
   * that generation since, and its documents in the cache are as stored.
   */
  private readonly committedMarks = new Map<string, string>();
  /** The statements a batch writes a generation's collection with, by table name. */
  private readonly tableStatements = new Map<string, DocumentStatements>();
  private readonly faults: SqliteWriteFaults;
  private readonly onInPlaceChange?: (message: string, kind: 'upgrade' | 'repair') => void;
  private readonly path: string;
  /** Generations' collections (and fields) whose index for `where` changes exists. */
  private readonly whereIndexes = new Set<string>();
  /** Where reduceJson reads and reduces past REDUCED_HERE_UP_TO documents: one thread, started at the first such read. */
  private readonly readsWorker: ReadsWorker;

  constructor(options: SqliteReadModelStoreOptions) {
    this.path = options.path;
    this.readsWorker = new ReadsWorker(options.path);
    this.db = openSqliteFile(options.path, 'NORMAL', options.existing);
    this.db.pragma(`wal_autocheckpoint = ${READ_MODEL_WAL_AUTOCHECKPOINT_PAGES}`);
    // IMMEDIATE: processes opening the file at once (a cluster's workers) make or upgrade it one
    // after another; each read the columns, then added those missing, and all but one failed.
    this.db.transaction(() => {
      this.db.exec(`
        CREATE TABLE IF NOT EXISTS read_model_generations (
          model TEXT PRIMARY KEY, active INTEGER NOT NULL, latest INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS read_model_checkpoints (
          model TEXT NOT NULL, generation INTEGER NOT NULL, position TEXT NOT NULL,
          PRIMARY KEY (model, generation));
        CREATE TABLE IF NOT EXISTS read_model_projection_versions (
          model TEXT NOT NULL, generation INTEGER NOT NULL, version INTEGER NOT NULL,
          PRIMARY KEY (model, generation));`);
      // Stores created before checkpoints named their event get the column at open.
      const columns = this.db.prepare("SELECT name FROM pragma_table_info('read_model_checkpoints')").pluck().all();
      if (!columns.includes('event_id')) this.db.exec('ALTER TABLE read_model_checkpoints ADD COLUMN event_id TEXT');
      // The checkpoint this release last wrote with the field columns: an older release moves
      // `position` on without them (started again on an upgraded file), which init then sees.
      if (!columns.includes('columns_at')) this.db.exec('ALTER TABLE read_model_checkpoints ADD COLUMN columns_at TEXT');
      // Counts every write to a generation's documents: its row then differs after any (see writeMark).
      if (!columns.includes('writes')) this.db.exec('ALTER TABLE read_model_checkpoints ADD COLUMN writes INTEGER NOT NULL DEFAULT 0');
    }).immediate();
    this.onInPlaceChange = options.onInPlaceChange;
    this.faults = new SqliteWriteFaults(this.db, `the read models (${basename(options.path)})`);
    this.auditTrail = options.eventLogPath === undefined ? undefined : new EventLogAuditTrail(options.eventLogPath);
    this.servedFromLog = new Set(this.auditTrail ? ['audit-log'] : []);
  }

  async init(): Promise<void> {
    this.db.transaction(() => {
      for (const model of Object.values(PROJECTIONS)) {
        const made = this.statement('INSERT OR IGNORE INTO read_model_generations (model, active, latest) VALUES (?, 1, 1)').run(model.name).changes > 0;
        if (made) this.recordProjectionVersion(model.name, 1);
        if (this.servedFromLog.has(model.name)) {
          // The copy a store of an earlier version kept: the log answers now.
          for (const name of this.storedNames()) if (generationOf(model.name, name) !== undefined) this.db.exec(`DROP TABLE "${name}"`);
          continue;
        }
        this.createCollections(model.name, this.active(model.name));
        this.refreshStaleColumns(model.name, this.active(model.name));
        this.createIndexes(model.name, this.active(model.name));
        this.dropRetiredIndexes(model.name, this.active(model.name));
      }
    }).immediate();
  }

  async activeGeneration(model: ReadModelName): Promise<number> {
    return this.active(model);
  }

  async checkpoint(model: ReadModelName, generation?: number): Promise<bigint | undefined> {
    return (await this.checkpointEvent(model, generation))?.position;
  }

  async checkpointEvent(model: ReadModelName, generation?: number): Promise<{ position: bigint; eventId?: string } | undefined> {
    if (this.auditTrail && this.servedFromLog.has(model)) return this.auditTrail.head();
    const row = this.get<{ position: string; event_id: string | null }>(
      'SELECT position, event_id FROM read_model_checkpoints WHERE model = ? AND generation = ?',
      model,
      generation ?? this.active(model),
    );
    return row && { position: BigInt(row.position), eventId: row.event_id ?? undefined };
  }

  async apply(model: ReadModelName, generation: number, changes: readonly VersionedChange[], checkpoint: bigint, checkpointEventId?: string): Promise<void> {
    const failed = await this.applyBatches([{ model, generation, changes, checkpoint, checkpointEventId }]);
    if (failed.has(model)) throw failed.get(model);
  }

  /**
   * Each model's documents are read and its changes folded before the write lock is taken, in one
   * read transaction, so that another connection (the other projector thread's) writes meanwhile:
   * a batch holds the lock only while it writes. Then one transaction (one commit, one WAL sync)
   * writes the batch of every model, each in a savepoint of its own, which a change that does not
   * apply rolls back alone. A model whose generation another connection wrote since the read
   * (its checkpoint row moved: writeMark) is read and folded again inside the lock.
   */
  async applyBatches(batches: readonly ModelBatch[]): Promise<Map<ReadModelName, unknown>> {
    const failed = new Map<ReadModelName, unknown>();
    const marks = new Map<string, string>();
    let committed = false;
    try {
      this.faults.write(() => {
        this.ensureWhereIndexes(batches);
        const folded = this.db.transaction(() => batches.map((batch) => this.attempt(batch, failed, () => this.fold(batch))))();
        this.db
          .transaction(() => {
            for (const [i, batch] of batches.entries()) {
              const made = folded[i];
              if (made) this.attempt(batch, failed, () => marks.set(markKey(batch), this.writeModelBatch(made)));
            }
          })
          .immediate();
      });
      committed = true;
      for (const [key, mark] of marks) this.committedMarks.set(key, mark);
    } finally {
      // Documents of a batch that did not commit were changed in place in the cache.
      if (!committed || failed.size > 0) this.cache.clear();
    }
    return failed;
  }

  /** A model's step: a failure of its changes fails the model alone (undefined), one of SQLite's the whole write. */
  private attempt<T>(batch: ModelBatch, failed: Map<ReadModelName, unknown>, step: () => T): T | undefined {
    try {
      return step();
    } catch (error) {
      if (isSqliteFault(error)) throw error;
      failed.set(batch.model, error);
      return undefined;
    }
  }

  /** The batch's documents read (from the cache while no other connection wrote the generation) and its changes applied to them. */
  private fold(batch: ModelBatch): FoldedBatch {
    this.notServedFromLog(batch.model);
    const mark = this.writeMark(batch.model, batch.generation);
    if (this.committedMarks.get(markKey(batch)) !== mark) this.forgetGeneration(batch.model, batch.generation);
    const reads = this.storedDocuments(batch.generation);
    const documents = new BatchDocuments(reads);
    documents.apply(batch.changes);
    return { batch, mark, reads, documents };
  }

  /** Inside the write transaction, in a savepoint: writes what fold made of the batch, and returns the generation's new writeMark. */
  private writeModelBatch(made: FoldedBatch): string {
    const { model, generation, checkpoint, checkpointEventId } = made.batch;
    return this.db.transaction(() => {
      // Written by another connection since the fold read it: read and folded again, under the lock.
      const { reads, documents } = this.writeMark(model, generation) === made.mark ? made : this.fold(made.batch);
      for (const write of documents.writes()) this.writeDocument(generation, write, reads.columnsBefore(write.collection, write.id));
      for (const [collection, moves] of documents.countMoves()) this.addCounts(collection, generation, moves);
      this.run(
        `INSERT INTO read_model_checkpoints (model, generation, position, event_id, columns_at, writes) VALUES (?, ?, ?, ?, ?, 1)
         ON CONFLICT (model, generation) DO UPDATE SET position = excluded.position, event_id = excluded.event_id, columns_at = excluded.columns_at, writes = writes + 1`,
        model,
        generation,
        checkpoint.toString(),
        checkpointEventId ?? null,
        checkpoint.toString(),
      );
      return this.writeMark(model, generation);
    })();
  }

  /**
   * A generation's checkpoint row as text ('' when there is none): every write to its documents
   * moves it (the `writes` count), so an unchanged mark means nobody wrote them in between.
   */
  private writeMark(model: ReadModelName, generation: number): string {
    const row = this.get<{ position: string; event_id: string | null; columns_at: string | null; writes: number }>(
      'SELECT position, event_id, columns_at, writes FROM read_model_checkpoints WHERE model = ? AND generation = ?',
      model,
      generation,
    );
    return row ? `${row.writes} ${row.position} ${row.event_id} ${row.columns_at}` : '';
  }

  /** Another connection wrote the generation: the cache forgets its documents. */
  private forgetGeneration(model: ReadModelName, generation: number): void {
    for (const collection of PROJECTIONS[model].collections) this.cache.forgetAll(table(collection, generation));
  }

  /**
   * The indexes `where` changes of the batches select by, made before the batches' reads (which
   * take no write lock): once each per connection, while a rebuild fills its generation without
   * indexes, or each such change would scan the table.
   */
  private ensureWhereIndexes(batches: readonly ModelBatch[]): void {
    const missing = new Map<string, { collection: CollectionName; generation: number; fields: string[] }>();
    for (const { generation, changes } of batches) {
      for (const { change } of changes) {
        if (change.kind !== 'patchWhere' && change.kind !== 'deleteWhere') continue;
        const fields = Object.keys(change.where);
        const key = `${generationName(change.collection, generation)}:${fields.join(',')}`;
        if (!this.whereIndexes.has(key)) missing.set(key, { collection: change.collection, generation, fields });
      }
    }
    if (missing.size === 0) return;
    this.db
      .transaction(() => {
        for (const [key, { collection, generation, fields }] of missing) {
          const index = COLLECTION_INDEXES[collection].find((candidate) => fields.every((name, i) => candidate[i] === name));
          if (index) this.db.exec(indexSql(collection, generation, index));
          this.whereIndexes.add(key);
        }
      })
      .immediate();
  }

  async createGeneration(model: ReadModelName): Promise<number> {
    this.notServedFromLog(model);
    return this.faults.write(() =>
      this.db
        .transaction(() => {
          this.run('UPDATE read_model_generations SET latest = latest + 1 WHERE model = ?', model);
          const { latest } = this.get<{ latest: number }>('SELECT latest FROM read_model_generations WHERE model = ?', model)!;
          this.dropCollections(model, latest);
          this.createCollections(model, latest);
          this.recordProjectionVersion(model, latest);
          return latest;
        })
        .immediate(),
    );
  }

  async projectionVersion(model: ReadModelName, generation?: number): Promise<number> {
    const row = this.get<{ version: number }>('SELECT version FROM read_model_projection_versions WHERE model = ? AND generation = ?', model, generation ?? this.active(model));
    return row?.version ?? 1;
  }

  async activate(model: ReadModelName, generation: number): Promise<void> {
    // Building the indexes of a large generation takes seconds: off the event loop, on a
    // connection of its own, which opens the path: only while it still leads to this connection's
    // file. Then the switch, which finds them built.
    this.faults.check();
    await execInWorker(this.path, indexStatements(model, generation));
    this.faults.write(() =>
      this.db
        .transaction(() => {
          this.createIndexes(model, generation);
          this.run('UPDATE read_model_generations SET active = ? WHERE model = ?', generation, model);
        })
        .immediate(),
    );
  }

  async dropGeneration(model: ReadModelName, generation: number): Promise<void> {
    this.faults.write(() =>
      this.db
        .transaction(() => {
          if (generation === this.active(model)) throw new Error(`generation ${generation} of ${model} is active`);
          this.dropCollections(model, generation);
        })
        .immediate(),
    );
  }

  async inactiveGenerations(model: ReadModelName): Promise<number[]> {
    const active = this.active(model);
    const generations = new Set(this.storedNames().map((name) => generationOf(model, name)).filter((g): g is number => g !== undefined && g !== active));
    return [...generations].sort((a, b) => a - b);
  }

  async find(query: DocumentQuery): Promise<ReadModelDocument[]> {
    if (this.auditTrail && query.collection === 'audit_log') return this.fromLog((trail) => trail.find(query));
    const select = this.selectSql(query);
    if (!select) return [];
    return this.read(() =>
      this.statement(select.sql)
        .pluck()
        .all(...select.bindings)
        .map((document) => JSON.parse(document as string) as ReadModelDocument),
    );
  }

  async findById(collection: CollectionName, id: string, generation?: number): Promise<ReadModelDocument | undefined> {
    const key = String(checkQueryValue(id));
    if (this.auditTrail && collection === 'audit_log') return this.fromLog((trail) => trail.findById(key));
    const document = this.read(() => this.get<{ document: string }>(`SELECT document FROM ${this.table({ collection, generation })} WHERE id = ?`, key)?.document);
    return document === undefined ? undefined : (JSON.parse(document) as ReadModelDocument);
  }

  async count(query: CountQuery): Promise<number> {
    if (this.auditTrail && query.collection === 'audit_log') return this.fromLog((trail) => trail.count(query));
    const where = whereSql(query);
    if (!where) return 0;
    return this.read(() => this.get<{ n: number }>(`SELECT count(*) AS n FROM ${this.table(query)} WHERE ${where.sql}`, ...where.bindings)!.n);
  }

  async findJson(query: DocumentQuery, omit: readonly string[]): Promise<DocumentsJson> {
    if (this.auditTrail && query.collection === 'audit_log') return this.fromLog((trail) => trail.findJson(query, omit));
    return documentsJson(await this.find(query), query.orderBy, omit);
  }

  /** A read that meets a storage fault or a damaged page: StoreUnavailable (503) and readiness failing, as a write's. */
  private read<T>(query: () => T): T {
    try {
      return query();
    } catch (error) {
      throw this.faults.classify(error);
    }
  }

  /** The audit trail's read: its faults are the event log's file's, named so (readiness follows the event store's own connection). */
  private fromLog<T>(query: (trail: EventLogAuditTrail) => T): T {
    try {
      return query(this.auditTrail!);
    } catch (error) {
      throw storeFaultOf(error, `the event store (${basename(this.auditTrail!.path)})`);
    }
  }

  /**
   * Past REDUCED_HERE_UP_TO documents (counted in the indexes first), on the store's reads worker;
   * fewer are read and reduced here, in less time than a turn of the worker's queue takes. So is
   * the embedded audit trail, the log's own table, read by statements of its own.
   */
  async reduceJson(queries: readonly DocumentQuery[], reducer: DocumentsReducer): Promise<Buffer> {
    const fromLog = this.auditTrail !== undefined && queries.some((query) => query.collection === 'audit_log');
    if (fromLog || (await this.countAll(queries)) <= REDUCED_HERE_UP_TO) {
      return Buffer.from(reducedJson(reducer, await Promise.all(queries.map((query) => this.find(query)))));
    }
    return this.reduceInWorker(queries, reducer, true);
  }

  /**
   * The statements name the active generations as they are now; a rebuild (here or in another
   * process) may activate new ones and drop those before the worker reads. Then the reads are made
   * again for the generations active then, once; a second such switch meanwhile answers 503.
   */
  private async reduceInWorker(queries: readonly DocumentQuery[], reducer: DocumentsReducer, again: boolean): Promise<Buffer> {
    const read = queries.map((query) => ({ ...query, generation: query.generation ?? this.active(modelOf(query.collection)) }));
    try {
      return await this.readsWorker.reduce(read.map((query) => this.selectSql(query) ?? null), reducer);
    } catch (error) {
      const switched = queries.some((query, i) => query.generation === undefined && this.active(modelOf(query.collection)) !== read[i].generation);
      if (!switched || !/^no such (table|index)/.test((error as Error).message)) throw this.faults.classify(error);
      if (again) return this.reduceInWorker(queries, reducer, false);
      throw new StoreUnavailable(this.faults.store, error);
    }
  }

  private async countAll(queries: readonly DocumentQuery[]): Promise<number> {
    let documents = 0;
    for (const query of queries) documents += Math.min(await this.count(query), query.limit ?? Infinity);
    return documents;
  }

  async counts(query: CountsQuery): Promise<Map<string, number>> {
    const sql = `SELECT value, n FROM ${this.countsTable(query)} WHERE grp = ? AND n <> 0`;
    const rows = this.read(() => this.statement(sql).all(checkQueryValue(query.group)) as Array<{ value: string; n: number }>);
    return new Map(rows.map((row) => [row.value, row.n]));
  }

  /**
   * Indexed: every step of the plan is a SEARCH by an index on every condition of the query, and
   * no temporary B-tree sorts, except the rows of an `in` list (one index range per listed value).
   */
  async explain(query: DocumentQuery): Promise<QueryPlan> {
    if (this.auditTrail && query.collection === 'audit_log') return this.auditTrail.explain(query);
    const select = this.selectSql(query);
    if (!select) return { indexed: true, detail: ['nothing to read: an empty `in`'] };
    const detail = (this.db.prepare(`EXPLAIN QUERY PLAN ${select.sql}`).all(...select.bindings) as Array<{ detail: string }>).map((row) => row.detail);
    return { indexed: planIsIndexed(detail, query), detail };
  }

  async dump(collection: CollectionName, generation?: number): Promise<Array<{ id: string; version: string; document: ReadModelDocument }>> {
    if (this.auditTrail && collection === 'audit_log') return this.auditTrail.dump();
    const rows = this.statement(`SELECT id, version, document FROM ${this.table({ collection, generation })} ORDER BY id`).all() as Row[];
    return rows.map((row) => ({ id: row.id, version: row.version, document: JSON.parse(row.document) as ReadModelDocument }));
  }

  async ping(): Promise<boolean> {
    this.faults.check();
    return sqliteAnswers(this.db);
  }

  async close(): Promise<void> {
    await this.readsWorker.close();
    this.auditTrail?.close();
    this.db.close();
  }

  private notServedFromLog(model: ReadModelName): void {
    if (this.servedFromLog.has(model)) throw new TypeError(`${model} is answered from the event log: nothing is written to it, nor rebuilt`);
  }

  private storedNames(): string[] {
    return this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
  }

  /** undefined when the conditions select nothing (an empty `in`). */
  private selectSql(query: DocumentQuery): { sql: string; bindings: Binding[] } | undefined {
    const where = whereSql(query);
    if (!where) return undefined;
    const limit = limitSql(query);
    const generation = query.generation ?? this.active(modelOf(query.collection));
    const indexed = query.index ? ` INDEXED BY "${generationName(query.collection, generation)}__${indexName(query.collection, query.index)}"` : '';
    const sql = `SELECT document FROM ${table(query.collection, generation)}${indexed} WHERE ${where.sql} ${orderSql(fieldSql(query.collection, checkQueryField(query.collection, query.orderBy)), query)}${limit.sql}`;
    return { sql, bindings: [...where.bindings, ...limit.bindings] };
  }

  /** The generation's documents as a batch reads them (before the batch changes them in place, so their column values are taken at the read). */
  private storedDocuments(generation: number): BatchReads {
    const before = new Map<CollectionName, Map<string, ColumnValue[]>>();
    const readBy = <T extends StoredDocument | undefined>(collection: CollectionName, id: string, stored: T): T => {
      if (stored) {
        let columns = before.get(collection);
        if (!columns) before.set(collection, (columns = new Map()));
        columns.set(id, columnValues(collection, stored.document));
      }
      return stored;
    };
    return {
      read: (collection, id) => {
        const t = table(collection, generation);
        const cached = this.cache.get(t, id);
        if (cached !== undefined) return readBy(collection, id, cached ?? undefined);
        const row = this.documentStatements(collection, generation).read.get(id) as Row | undefined;
        const stored = row && { version: row.version, document: JSON.parse(row.document) as ReadModelDocument };
        this.cache.set(t, id, stored ?? null);
        return readBy(collection, id, stored);
      },
      matching: (collection, where) => {
        const conditions = conditionsSql(collection, where);
        const rows = this.statement(`SELECT id, version, document FROM ${table(collection, generation)} WHERE ${conditions.sql}`).all(...conditions.bindings) as Row[];
        return rows.map((row) => ({ id: row.id, stored: readBy(collection, row.id, { version: row.version, document: JSON.parse(row.document) as ReadModelDocument }) }));
      },
      columnsBefore: (collection, id) => before.get(collection)?.get(id),
    };
  }

  /** Writes what a batch made of a document, stored with the columns `before` (when it was). Versions were compared already. */
  private writeDocument(generation: number, { collection, id, stored, insertOnly }: DocumentWrite, before: ColumnValue[] | undefined): void {
    const statements = this.documentStatements(collection, generation);
    if (stored === null) statements.delete.run(id);
    else {
      const json = JSON.stringify(stored.document);
      const columns = columnValues(collection, stored.document);
      if (insertOnly) statements.insert.run(id, stored.version, json, ...columns);
      else if (!before) statements.upsert.run(id, stored.version, json, ...columns);
      else {
        // Only the columns whose value changed are assigned: SQLite leaves every index on the others alone.
        const changed: ColumnValue[] = [];
        let assigned = 0;
        for (let i = 0; i < columns.length; i++) {
          if (columns[i] === before[i]) continue;
          assigned |= 1 << i;
          changed.push(columns[i]);
        }
        this.updateStatement(statements, collection, generation, assigned).run(stored.version, json, ...changed, id);
      }
    }
    // An insert leaves a document stored under its id before in place: what is stored is not known here.
    if (insertOnly) this.cache.forget(table(collection, generation), id);
    else this.cache.set(table(collection, generation), id, stored);
  }

  /** Adds what a batch did to the counts of a counted collection. */
  private addCounts(collection: CollectionName, generation: number, moves: CountMoves): void {
    for (const group of moves.groups()) {
      for (const [value, n] of moves.sums(group)) {
        this.run(
          `INSERT INTO ${countsTable(collection, generation)} (grp, value, n) VALUES (?, ?, ?) ON CONFLICT (grp, value) DO UPDATE SET n = n + excluded.n`,
          group,
          value,
          n,
        );
      }
    }
  }

  private documentStatements(collection: CollectionName, generation: number): DocumentStatements {
    const t = table(collection, generation);
    let statements = this.tableStatements.get(t);
    if (!statements) {
      const columns = ['id', 'version', 'document', ...fieldColumns(collection)].map((name) => `"${name}"`);
      const values = `(${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
      statements = {
        read: this.db.prepare(`SELECT id, version, document FROM ${t} WHERE id = ?`),
        upsert: this.db.prepare(`INSERT INTO ${t} ${values} ON CONFLICT (id) DO UPDATE SET ${columns.slice(1).map((c) => `${c} = excluded.${c}`).join(', ')}`),
        insert: this.db.prepare(`INSERT INTO ${t} ${values} ON CONFLICT (id) DO NOTHING`),
        delete: this.db.prepare(`DELETE FROM ${t} WHERE id = ?`),
        updates: new Map(),
      };
      this.tableStatements.set(t, statements);
    }
    return statements;
  }

  private updateStatement(statements: DocumentStatements, collection: CollectionName, generation: number, assigned: number): Database.Statement {
    let update = statements.updates.get(assigned);
    if (!update) {
      const set = ['version', 'document', ...fieldColumns(collection).filter((_, i) => assigned & (1 << i))].map((name) => `"${name}" = ?`);
      statements.updates.set(assigned, (update = this.db.prepare(`UPDATE ${table(collection, generation)} SET ${set.join(', ')} WHERE id = ?`)));
    }
    return update;
  }

  private createCollections(model: ReadModelName, generation: number): void {
    const upgraded: string[] = [];
    let filled = 0;
    for (const collection of PROJECTIONS[model].collections) {
      const t = table(collection, generation);
      this.db.exec(`CREATE TABLE IF NOT EXISTS ${t} (id TEXT PRIMARY KEY, version TEXT NOT NULL, document TEXT NOT NULL${fieldColumns(collection).map((c) => `, "${c}"`).join('')})`);
      const documents = this.addFieldColumns(collection, generation);
      if (documents !== undefined) {
        upgraded.push(generationName(collection, generation));
        filled += documents;
      }
      const counted = COLLECTION_COUNTS[collection];
      const counts = countsTable(collection, generation);
      if (!counted || this.get(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`, countsName(collection, generation))) continue;
      this.db.exec(`CREATE TABLE ${counts} (grp TEXT NOT NULL, value TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (grp, value)) WITHOUT ROWID`);
      // Documents written before the store kept counts are counted once, here.
      const [group, value] = [fieldSql(collection, counted.group), fieldSql(collection, counted.field)];
      this.db.exec(`INSERT INTO ${counts} (grp, value, n) SELECT ${group}, ${value}, COUNT(*) FROM ${t} WHERE ${value} IS NOT NULL GROUP BY 1, 2`);
    }
    if (upgraded.length > 0) {
      this.run('UPDATE read_model_checkpoints SET writes = writes + 1 WHERE model = ? AND generation = ?', model, generation);
      this.onInPlaceChange?.(`read model ${model}: ${upgraded.join(', ')} upgraded in place (field columns filled from ${filled} documents, indexes built on them)`, 'upgrade');
    }
  }

  /**
   * A table of a store written before the field columns (its indexes on json_extract
   * expressions) gets them at open, in place, filled from its documents; its indexes are
   * dropped, and built again on the columns by createIndexes (a generation being rebuilt is
   * dropped by the next rebuild instead: init migrates the active ones).
   */
  private addFieldColumns(collection: CollectionName, generation: number): number | undefined {
    const name = generationName(collection, generation);
    const present = this.db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(name);
    const missing = fieldColumns(collection).filter((column) => !present.includes(column));
    if (missing.length === 0) return undefined;
    const indexes = this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql LIKE '%json_extract(%'").pluck().all(name) as string[];
    for (const index of indexes) this.db.exec(`DROP INDEX "${index}"`);
    for (const column of missing) this.db.exec(`ALTER TABLE "${name}" ADD COLUMN "${column}"`);
    const filled = this.db.prepare(`UPDATE "${name}" SET ${missing.map((column) => `"${column}" = ${jsonFieldSql(column)}`).join(', ')}`).run().changes;
    const upgrade = COLLECTION_UPGRADES[collection];
    if (upgrade && missing.includes(upgrade.field)) this.fillFollowingValues(collection, generation, upgrade);
    return filled;
  }

  /** Sets a field an earlier release did not write (COLLECTION_UPGRADES), in its column and its documents, in one statement. */
  private fillFollowingValues(collection: CollectionName, generation: number, { field, partition, order, value, otherwise }: FollowingValue): void {
    const t = table(collection, generation);
    const sql = (path: string) => fieldSql(collection, checkFieldName(path));
    const following = `SELECT id, COALESCE(LEAD(${sql(value)}) OVER (PARTITION BY ${partition.map(sql).join(', ')} ORDER BY ${sql(order)}), ?) AS value FROM ${t}`;
    this.db
      .prepare(`UPDATE ${t} SET "${checkFieldName(field)}" = following.value, document = json_set(document, '$.${field}', following.value) FROM (${following}) AS following WHERE ${t}.id = following.id`)
      .run(otherwise);
  }

  /**
   * Documents an older release wrote after this one had opened the store (an operator went back,
   * then forward again) left the field columns as they were: they are set from the documents
   * again, or queries by those fields would answer from stale values.
   */
  private refreshStaleColumns(model: ReadModelName, generation: number): void {
    const row = this.get<{ position: string; columns_at: string | null }>('SELECT position, columns_at FROM read_model_checkpoints WHERE model = ? AND generation = ?', model, generation);
    if (!row || row.columns_at === row.position) return;
    let refreshed = 0;
    for (const collection of PROJECTIONS[model].collections) {
      const columns = fieldColumns(collection);
      if (columns.length === 0) continue;
      const stale = columns.map((column) => `"${column}" IS NOT ${jsonFieldSql(column)}`).join(' OR ');
      refreshed += this.db.prepare(`UPDATE ${table(collection, generation)} SET ${columns.map((column) => `"${column}" = ${jsonFieldSql(column)}`).join(', ')} WHERE ${stale}`).run().changes;
    }
    this.run('UPDATE read_model_checkpoints SET columns_at = position, writes = writes + 1 WHERE model = ? AND generation = ?', model, generation);
    if (refreshed > 0) this.onInPlaceChange?.(`read model ${model}: ${refreshed} documents written without their field columns (by an older ztkeys on this DATA_DIR) had them set again from the documents`, 'repair');
  }

  /** Built once a generation is filled (a rebuild writes faster without them) and before it serves. */
  private createIndexes(model: ReadModelName, generation: number): void {
    for (const sql of indexStatements(model, generation)) this.db.exec(sql);
  }

  /** Indexes an earlier release built that nothing selects by any more (RETIRED_INDEXES): every write kept them up. */
  private dropRetiredIndexes(model: ReadModelName, generation: number): void {
    for (const collection of PROJECTIONS[model].collections) {
      for (const index of RETIRED_INDEXES[collection] ?? []) this.db.exec(`DROP INDEX IF EXISTS ${indexIdentifier(collection, generation, index)}`);
    }
  }

  private dropCollections(model: ReadModelName, generation: number): void {
    for (const collection of PROJECTIONS[model].collections) {
      this.db.exec(`DROP TABLE IF EXISTS ${table(collection, generation)}`);
      this.db.exec(`DROP TABLE IF EXISTS ${countsTable(collection, generation)}`);
    }
    this.run('DELETE FROM read_model_checkpoints WHERE model = ? AND generation = ?', model, generation);
    this.statements.clear();
    this.tableStatements.clear();
    this.cache.clear();
  }

  private table(query: { collection: CollectionName; generation?: number }): string {
    return table(query.collection, query.generation ?? this.active(modelOf(query.collection)));
  }

  private countsTable(query: { collection: CollectionName; generation?: number }): string {
    if (!COLLECTION_COUNTS[query.collection]) throw new TypeError(`${query.collection} is not counted`);
    return countsTable(query.collection, query.generation ?? this.active(modelOf(query.collection)));
  }

  private recordProjectionVersion(model: ReadModelName, generation: number): void {
    this.run('INSERT OR REPLACE INTO read_model_projection_versions (model, generation, version) VALUES (?, ?, ?)', model, generation, PROJECTIONS[model].version);
  }

  private active(model: ReadModelName): number {
    const row = this.get<{ active: number }>('SELECT active FROM read_model_generations WHERE model = ?', model);
    if (!row) throw new Error('read-model store is not initialised: call init() first');
    return row.active;
  }

  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) this.statements.set(sql, (statement = this.db.prepare(sql)));
    return statement;
  }

  private run(sql: string, ...bindings: Binding[]): void {
    this.statement(sql).run(...bindings);
  }

  private get<T>(sql: string, ...bindings: Binding[]): T | undefined {
    return this.statement(sql).get(...bindings) as T | undefined;
  }
}

const indexIdentifier = (collection: CollectionName, generation: number, index: readonly string[]): string => `"${generationName(collection, generation)}__${index.join('_')}"`;

function indexSql(collection: CollectionName, generation: number, index: readonly string[]): string {
  return `CREATE INDEX IF NOT EXISTS ${indexIdentifier(collection, generation, index)} ON ${table(collection, generation)} (${index.map((path) => fieldSql(collection, path)).join(', ')})`;
}

function indexStatements(model: ReadModelName, generation: number): string[] {
  return PROJECTIONS[model].collections.flatMap((collection) => COLLECTION_INDEXES[collection].map((index) => indexSql(collection, generation, index)));
}

/** An error of SQLite itself (by code: see src/shared/sqlite-write-faults.ts), as opposed to one of a change. */
const isSqliteFault = (error: unknown): boolean => /^SQLITE_/.test(String((error as { code?: unknown } | undefined)?.code));

/** undefined when the conditions select nothing (an empty `in`). */
function whereSql(query: Pick<DocumentQuery, 'collection' | 'conditions'>): { sql: string; bindings: Binding[] } | undefined {
  return queryConditionsSql(query.conditions, (field) => fieldSql(query.collection, checkQueryField(query.collection, field)));
}

/** Conditions of changes: equality, null also matching a missing field (NULL in its column, or from json_extract). */
function conditionsSql(collection: CollectionName, conditions: Conditions): { sql: string; bindings: Binding[] } {
  const entries = Object.entries(conditions);
  const sql = entries.map(([path, value]) => (value === null ? `${fieldSql(collection, path)} IS NULL` : `${fieldSql(collection, path)} = ?`));
  const bindings = entries.flatMap(([, value]) => (value === null ? [] : [typeof value === 'boolean' ? Number(value) : value]));
  return { sql: sql.length > 0 ? sql.join(' AND ') : '1', bindings };
}
