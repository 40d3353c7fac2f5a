/**
 * The read-model store port. Adapters: embedded SQLite (default) and MongoDB. Both pass
 * test/read-models/read-model-store.contract.ts.
 *
 * Each read model lives in generations: the active one serves queries and follows the log; a
 * rebuild fills a new one from the log alone, then activates it in one step, and the old one
 * keeps serving until then.
 */
import type { CollectionName, ReadModelDocument, VersionedChange } from '../../projections/document-change';
import type { ReadModelName } from '../../projections/projection';

/** A value a query compares with: a string or number, never an object (nothing becomes an operator). */
export type QueryValue = string | number;

export type Condition =
  | { field: string; op: 'eq' | 'gt' | 'gte' | 'lt' | 'lte'; value: QueryValue }
  | { field: string; op: 'in'; value: readonly QueryValue[] };

export interface DocumentQuery {
  collection: CollectionName;
  /** All must hold. Fields are top-level fields the collection indexes (read-model-schema.ts). */
  conditions: readonly Condition[];
  /** Ascending; for keyset pages it must be unique among the documents the conditions select. */
  orderBy: string;
  /** Orders by orderBy descending instead, walking the same index backwards: the latest of a kind is one keyed read (with limit 1). */
  descending?: boolean;
  /** At most this many documents; all when absent. */
  limit?: number;
  /** Skips this many first documents (walked in the index that serves the query): where a bounded scan ends. */
  offset?: number;
  /** The fields of the collection's index (COLLECTION_INDEXES) that must serve the query: the one a bounded scan counted in. */
  index?: readonly string[];
  /** Reads this generation instead of the active one. */
  generation?: number;
}

/** Documents `find` gives, as NDJSON to stream out (see ReadModelStore.findJson). */
export interface DocumentsJson {
  /** Each document's JSON as JSON.stringify writes it, followed by a newline, in the query's order: UTF-8. */
  ndjson: Buffer;
  /** How many documents (lines) it holds. */
  count: number;
  /** The query's orderBy value of the last document (a keyset page goes on after it); undefined when none. */
  last: QueryValue | undefined;
}

/**
 * A pure function over several queries' documents, named by its module's file and its export so
 * that a store may run it on another thread, where it reads: called with `argument`, then the
 * documents of each query in order; what it returns must be JSON.
 */
export interface DocumentsReducer {
  /** The module's resolved file (require.resolve), whose export `name` is the function. */
  module: string;
  name: string;
  argument: unknown;
}

/** Documents a count selects: a query's conditions, neither ordered nor limited. */
export type CountQuery = Pick<DocumentQuery, 'collection' | 'conditions' | 'generation'>;

export interface CountsQuery {
  collection: CollectionName;
  group: QueryValue;
  /** Reads this generation instead of the active one. */
  generation?: number;
}

export interface QueryPlan {
  /**
   * True when an index (or the primary key) selects the documents and gives their order, so the
   * store reads only what it returns (plus the conditions' misses in the index).
   */
  indexed: boolean;
  /** The plan as the store describes it (SQLite's EXPLAIN QUERY PLAN lines; MongoDB's winning plan stages). */
  detail: string[];
}

/** One read model's share of a batch: its changes in order, then its checkpoint. */
export interface ModelBatch {
  model: ReadModelName;
  generation: number;
  changes: readonly VersionedChange[];
  checkpoint: bigint;
  checkpointEventId?: string;
}

export interface ReadModelStore {
  /**
   * Read models this store answers from the event log's own table instead of a copy (the
   * embedded audit trail): no runner feeds them, their checkpoint is the head of the log, and
   * they have one generation, never rebuilt.
   */
  readonly servedFromLog: ReadonlySet<ReadModelName>;

  /** Creates what is missing: generation 1 of each read model on a new store, indexes of the active ones. */
  init(): Promise<void>;

  activeGeneration(model: ReadModelName): Promise<number>;

  /** Position of the last event applied to the generation (default: the active one), undefined before any. */
  checkpoint(model: ReadModelName, generation?: number): Promise<bigint | undefined>;

  /** The checkpoint of the generation (default: the active one) with the id of the event at it, when recorded. */
  checkpointEvent(model: ReadModelName, generation?: number): Promise<{ position: bigint; eventId?: string } | undefined>;

  /**
   * Applies the changes in order, each only to documents whose version is older (so applying
   * again changes nothing), then records `checkpoint` (and the id of the event at it,
   * so a consumer can tell when the log no longer holds that event there). No multi-document transaction is needed:
   * after a crash in between, applying the same changes again finishes the job.
   * The changes become the store's: it may change their documents in place (a catch-up makes no
   * copy a change), so a caller applying them again derives them again, as a resubscription does.
   */
  apply(model: ReadModelName, generation: number, changes: readonly VersionedChange[], checkpoint: bigint, checkpointEventId?: string): Promise<void>;

  /**
   * Applies several read models' batches as `apply` does each (embedded: all in one transaction).
   * A batch that fails by itself (its changes do not apply) is left out and returned with its
   * error, and the others are applied and checkpointed: one model's fault never holds back or
   * corrupts another's checkpoint. A fault of the store itself rejects.
   */
  applyBatches(batches: readonly ModelBatch[]): Promise<Map<ReadModelName, unknown>>;

  /** An empty new generation to rebuild into (by this release's projection), without the query indexes; the active one keeps serving. */
  createGeneration(model: ReadModelName): Promise<number>;

  /**
   * The version of its projection (Projection.version) the generation (default: the active one)
   * is built with, recorded when init or createGeneration makes it; 1 for one made before versions were.
   */
  projectionVersion(model: ReadModelName, generation?: number): Promise<number>;

  /** Builds the generation's query indexes, then makes it the one queries read and the live runner follows. */
  activate(model: ReadModelName, generation: number): Promise<void>;

  /** Drops a generation's documents and checkpoint; the active one cannot be dropped. */
  dropGeneration(model: ReadModelName, generation: number): Promise<void>;

  /** Generations that exist besides the active one (left by rebuilds). */
  inactiveGenerations(model: ReadModelName): Promise<number[]>;

  find(query: DocumentQuery): Promise<ReadModelDocument[]>;

  /** The document of this id (the key every change names), undefined when there is none: one keyed read. */
  findById(collection: CollectionName, id: string, generation?: number): Promise<ReadModelDocument | undefined>;

  /**
   * How many documents the conditions select, counted in the index that serves them (a range of
   * its keys, none of the documents read), so its cost grows with the count, never with the rest
   * of the collection. Not `counts`, which reads totals kept as changes are applied.
   */
  count(query: CountQuery): Promise<number>;

  /**
   * The documents `find` gives, each as JSON.stringify would write it without the `omit` fields
   * (never the orderBy field), one a line: for a stream of them, which a store may write from what
   * it holds without building each document (SQLite writes the embedded audit trail's lines).
   */
  findJson(query: DocumentQuery, omit: readonly string[]): Promise<DocumentsJson>;

  /**
   * The JSON (UTF-8) of what `reducer` makes of the queries' documents (each as `find` gives them):
   * for an answer that grows with an org rather than a page. The embedded store reads them (in one
   * read transaction), runs the function and writes the JSON on a worker thread of its own, so the
   * caller's event loop only receives the bytes; MongoDB reads them as `find` does (network I/O).
   */
  reduceJson(queries: readonly DocumentQuery[], reducer: DocumentsReducer): Promise<Buffer>;

  /**
   * How many documents of a counted collection (COLLECTION_COUNTS) hold each value of its counted
   * field in `group`; values no document holds are left out. Kept as changes are applied, so
   * this is one keyed read, never an aggregation.
   */
  counts(query: CountsQuery): Promise<Map<string, number>>;

  /** How the store runs a query: whether an index or a key range serves it, and its own words for the plan. */
  explain(query: DocumentQuery): Promise<QueryPlan>;

  /** Every document of a collection with its id and version, by id: for comparisons and tests. */
  dump(collection: CollectionName, generation?: number): Promise<Array<{ id: string; version: string; document: ReadModelDocument }>>;

  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** Nest injection token of the read-model store. */
export const READ_MODEL_STORE = Symbol('READ_MODEL_STORE');
