import {
  MongoBulkWriteError,
  MongoClient,
  MongoNetworkError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
  type AnyBulkWriteOperation,
  type Collection,
  type Db,
  type Document,
  type Filter,
  type FindCursor,
} from 'mongodb';
import { connectionLost, mongoAnswers, mongoClientOptions, mongoDatabaseName, retriedOnLostConnection } from '../../shared/mongodb-database';
import type {
  CollectionName,
  Conditions,
  DocumentChange,
  InsertDocument,
  ReadModelDocument,
  VersionedChange,
} from '../../../projections/document-change';
import { PROJECTIONS } from '../../../projections/projections';
import type { ReadModelName } from '../../../projections/projection';
import { applyToDocument, type StoredDocument as VersionedDocument } from '../../../projections/apply-change';
import type { Condition, CountQuery, CountsQuery, DocumentQuery, DocumentsJson, DocumentsReducer, ModelBatch, QueryPlan, ReadModelStore } from '../read-model-store.port';
import { reducedJson } from '../reduce-documents';
import { documentsJson } from '../documents-json';
import { countedChangeId, CountMoves } from '../count-moves';
import {
  checkFieldName,
  checkQueryField,
  COLLECTION_COUNTS,
  COLLECTION_INDEXES,
  COLLECTION_UPGRADES,
  countsName,
  generationName,
  generationOf,
  indexName,
  modelOf,
  RETIRED_INDEXES,
  type CountedField,
} from '../read-model-schema';
import { checkQueryValue } from '../query-value';
import { StoreUnavailable } from '../../shared/store-unavailable';
import type { JsonValue } from '../../shared/json-value';

export interface MongoReadModelStoreOptions {
  url: string;
  /** Database name; default: the one in the URL, else "ztkeys". */
  database?: string;
  /** How long another process's switch to a rebuilt generation may take to reach queries. */
  generationCacheMs?: number;
  /** Told what init upgraded in place in the database (for the start's log). */
  onInPlaceChange?: (message: string, kind: 'upgrade') => void;
}

/** Where each read model stands; reporting tools find the collections to read here. */
interface GenerationDocument {
  _id: ReadModelName;
  active: number;
  latest: number;
  /** Collection name of each collection of the active generation, e.g. { audit_log: "audit_log_2" }. */
  collections: Record<string, string>;
  /** The projection version each generation is built with (ReadModelStore.projectionVersion), by generation; absent before versions were. */
  projectionVersions?: Record<string, number>;
}

interface CheckpointDocument {
  _id: string;
  position: string;
  eventId?: string;
}

type StoredDocument = ReadModelDocument & { _id: string; _v: string };

/** The counts of one group of a counted collection, with the version of the last batch added to them. */
interface CountsDocument {
  _id: string;
  n: Record<string, number>;
  _v: string;
}

const GENERATIONS = 'read_model_generations';
const CHECKPOINTS = 'read_model_checkpoints';
const DUPLICATE_KEY = 11000;
/**
 * FerretDB 1.24 on PostgreSQL holds a pooled connection per statement of an update command until
 * the command ends: commands at once of more statements in all than its pool (50 by default) wait
 * on each other for good, and wedge the server. Two writers at once (two processes, or the tests'
 * two workers) fit its default pool.
 */
const MAX_OPERATIONS_PER_COMMAND = 24;
const NAMESPACE_NOT_FOUND = 26;
const NAMESPACE_EXISTS = 48;
const INDEX_NOT_FOUND = 27;

const checkpointId = (model: ReadModelName, generation: number): string => `${model}/${generation}`;

/**
 * Read models in MongoDB through the official driver (FerretDB 1.x in CI). No multi-document
 * transactions: every change is one guarded single-statement write (`_v` older than the change),
 * a batch goes out as ordered bulk writes, and the checkpoint is written after it.
 */
export class MongoReadModelStore implements ReadModelStore {
  /** KurrentDB cannot answer the audit queries: every read model, the audit trail too, is a copy here. */
  readonly servedFromLog: ReadonlySet<ReadModelName> = new Set();
  private readonly client: MongoClient;
  private readonly db: Db;
  private readonly cacheMs: number;
  private readonly activeCache = new Map<ReadModelName, { generation: number; until: number }>();
  private readonly onInPlaceChange?: (message: string, kind: 'upgrade') => void;

  constructor(options: MongoReadModelStoreOptions) {
    this.client = new MongoClient(options.url, mongoClientOptions(options.url, 'ztkeys-read-models'));
    this.db = this.client.db(mongoDatabaseName(options.url, options.database));
    this.cacheMs = options.generationCacheMs ?? 1000;
    this.onInPlaceChange = options.onInPlaceChange;
  }

  async init(): Promise<void> {
    for (const model of Object.values(PROJECTIONS)) {
      // Processes started together on fresh data (WORKERS, the roles of a deployment) upsert at once: one inserts, the others collide, nothing to do.
      await this.generations()
        .updateOne({ _id: model.name }, { $setOnInsert: { active: 1, latest: 1, collections: collectionNames(model.name, 1), projectionVersions: { 1: model.version } } }, { upsert: true })
        .catch((error: unknown) => {
          if (!isDuplicateKey(error)) throw error;
        });
      const active = await this.activeGeneration(model.name);
      const upgraded = await this.fillFollowingValues(model.name, active);
      await this.createIndexes(model.name, active);
      await this.dropRetiredIndexes(model.name, active);
      if (upgraded.collections.length > 0) {
        const fields = upgraded.fields.join(', ');
        this.onInPlaceChange?.(`read model ${model.name}: ${upgraded.collections.join(', ')} upgraded in place (${fields} filled in ${upgraded.documents} documents, indexes built on them)`, 'upgrade');
      }
      await this.countExisting(model.name, active);
      // A model given a collection since its active generation was made (key_approvals): reporting tools find it too.
      const collections = collectionNames(model.name, active);
      const named = (await this.generations().findOne({ _id: model.name }))?.collections ?? {};
      if (Object.keys(collections).some((collection) => named[collection] === undefined)) await this.generations().updateOne({ _id: model.name, active }, { $set: { collections } });
    }
  }

  async activeGeneration(model: ReadModelName): Promise<number> {
    const cached = this.activeCache.get(model);
    if (cached && cached.until > Date.now()) return cached.generation;
    const found = await this.generations().findOne({ _id: model });
    if (!found) throw new Error('read-model store is not initialised: call init() first');
    this.activeCache.set(model, { generation: found.active, until: Date.now() + this.cacheMs });
    return found.active;
  }

  async checkpoint(model: ReadModelName, generation?: number): Promise<bigint | undefined> {
    return (await this.checkpointEvent(model, generation))?.position;
  }

  async checkpointEvent(model: ReadModelName, generation?: number): Promise<{ position: bigint; eventId?: string } | undefined> {
    return this.read(async () => {
      const found = await this.checkpoints().findOne({ _id: checkpointId(model, generation ?? (await this.activeGeneration(model))) });
      return found ? { position: BigInt(found.position), eventId: found.eventId } : undefined;
    });
  }

  async apply(model: ReadModelName, generation: number, changes: readonly VersionedChange[], checkpoint: bigint, checkpointEventId?: string): Promise<void> {
    const byCollection = new Map<CollectionName, VersionedChange[]>();
    for (const change of changes) {
      const list = byCollection.get(change.change.collection) ?? [];
      list.push(change);
      byCollection.set(change.change.collection, list);
    }
    // Collections are independent: each keeps the order of its own changes. One after the other:
    // FerretDB 1.24 can deadlock on concurrent writes to collections of one database.
    for (const [collection, list] of byCollection) {
      const counted = COLLECTION_COUNTS[collection];
      if (counted) await this.moveCounts(collection, counted, generation, list);
      await writeInOrder(this.collection(collection, generation), list);
    }
    await this.checkpoints().updateOne(
      { _id: checkpointId(model, generation) },
      checkpointEventId === undefined
        ? { $set: { position: checkpoint.toString() }, $unset: { eventId: '' } }
        : { $set: { position: checkpoint.toString(), eventId: checkpointEventId } },
      { upsert: true },
    );
  }

  /**
   * Each model's batch as `apply` writes it, one model after the other (FerretDB 1.24 can deadlock
   * on concurrent writes to collections of one database); a crash leaves the models written so far
   * checkpointed and the others to be written again.
   */
  async applyBatches(batches: readonly ModelBatch[]): Promise<Map<ReadModelName, unknown>> {
    const failed = new Map<ReadModelName, unknown>();
    for (const { model, generation, changes, checkpoint, checkpointEventId } of batches) {
      try {
        await this.apply(model, generation, changes, checkpoint, checkpointEventId);
      } catch (error) {
        const unavailable = unavailableIfUnreachable(error);
        if (unavailable instanceof StoreUnavailable) throw unavailable;
        failed.set(model, error);
      }
    }
    return failed;
  }

  async createGeneration(model: ReadModelName): Promise<number> {
    const updated = await this.generations().findOneAndUpdate({ _id: model }, { $inc: { latest: 1 } }, { returnDocument: 'after' });
    if (!updated) throw new Error('read-model store is not initialised: call init() first');
    await this.dropCollections(model, updated.latest);
    // Created empty, so that it is listed among the generations before its first write.
    for (const collection of PROJECTIONS[model].collections) await this.db.createCollection(generationName(collection, updated.latest));
    await this.generations().updateOne({ _id: model }, { $set: { [`projectionVersions.${updated.latest}`]: PROJECTIONS[model].version } });
    return updated.latest;
  }

  async projectionVersion(model: ReadModelName, generation?: number): Promise<number> {
    const found = await this.generations().findOne({ _id: model });
    if (!found) throw new Error('read-model store is not initialised: call init() first');
    return found.projectionVersions?.[generation ?? found.active] ?? 1;
  }

  async activate(model: ReadModelName, generation: number): Promise<void> {
    await this.createIndexes(model, generation);
    await this.generations().updateOne({ _id: model }, { $set: { active: generation, collections: collectionNames(model, generation) } });
    this.activeCache.set(model, { generation, until: Date.now() + this.cacheMs });
  }

  async dropGeneration(model: ReadModelName, generation: number): Promise<void> {
    this.activeCache.delete(model);
    if (generation === (await this.activeGeneration(model))) throw new Error(`generation ${generation} of ${model} is active`);
    await this.dropCollections(model, generation);
  }

  async inactiveGenerations(model: ReadModelName): Promise<number[]> {
    this.activeCache.delete(model);
    const active = await this.activeGeneration(model);
    const names = await this.db.listCollections({}, { nameOnly: true }).toArray();
    const generations = new Set(names.map(({ name }) => generationOf(model, name)).filter((g): g is number => g !== undefined && g !== active));
    return [...generations].sort((a, b) => a - b);
  }

  async find(query: DocumentQuery): Promise<ReadModelDocument[]> {
    return this.read(() => this.findDocuments(query, []));
  }

  async findById(collection: CollectionName, id: string, generation?: number): Promise<ReadModelDocument | undefined> {
    return this.read(async () => {
      const found = await (await this.queried({ collection, generation })).findOne({ _id: String(checkQueryValue(id)) }, { projection: { _id: 0, _v: 0 } });
      return (found ?? undefined) as ReadModelDocument | undefined;
    });
  }

  /** countDocuments: MongoDB matches on the index of the conditions; FerretDB 1.x scans the collection (see README). */
  async count(query: CountQuery): Promise<number> {
    const filter = toFilter(query);
    if (!filter) return 0;
    return this.read(async () => (await this.queried(query)).countDocuments(filter));
  }

  /** The server leaves the omitted fields out; the documents are stringified here. */
  async findJson(query: DocumentQuery, omit: readonly string[]): Promise<DocumentsJson> {
    const found = await this.read(() => this.findDocuments(query, omit));
    return documentsJson(found, query.orderBy, []);
  }

  /** The reads are network I/O already: the function runs here, once they are in. */
  async reduceJson(queries: readonly DocumentQuery[], reducer: DocumentsReducer): Promise<Buffer> {
    return Buffer.from(reducedJson(reducer, await Promise.all(queries.map((query) => this.find(query)))));
  }

  async counts(query: CountsQuery): Promise<Map<string, number>> {
    if (!COLLECTION_COUNTS[query.collection]) throw new TypeError(`${query.collection} is not counted`);
    return this.read(async () => {
      const generation = query.generation ?? (await this.activeGeneration(modelOf(query.collection)));
      const found = await this.countsOf(query.collection, generation).findOne({ _id: String(checkQueryValue(query.group)) });
      return new Map(Object.entries(found?.n ?? {}).filter(([, n]) => n !== 0));
    });
  }

  /**
   * MongoDB: indexed when the winning plan reads an index and neither scans the collection nor
   * sorts in memory. FerretDB 1.x answers with the PostgreSQL plan and what it pushed down to it.
   */
  async explain(query: DocumentQuery): Promise<QueryPlan> {
    const filter = toFilter(query);
    if (!filter) return { indexed: true, detail: ['nothing to read: an empty `in`'] };
    const cursor = (await this.queried(query)).find(filter);
    shape(cursor, query);
    return describePlan(await cursor.explain('queryPlanner'));
  }

  private async findDocuments(query: DocumentQuery, omit: readonly string[]): Promise<ReadModelDocument[]> {
    const filter = toFilter(query);
    if (!filter) return [];
    const cursor = (await this.queried(query))
      .find(filter, { projection: { _id: 0, _v: 0, ...Object.fromEntries(omit.map((field) => [field, 0])) } });
    shape(cursor, query);
    return (await cursor.toArray()) as ReadModelDocument[];
  }

  async dump(collection: CollectionName, generation?: number): Promise<Array<{ id: string; version: string; document: ReadModelDocument }>> {
    const stored = await (await this.queried({ collection, generation })).find({}).sort({ _id: 1 }).toArray();
    return stored.map(({ _id, _v, ...document }) => ({ id: _id, version: _v, document: document as ReadModelDocument }));
  }

  ping(): Promise<boolean> {
    return mongoAnswers(this.db);
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  /**
   * Sets a field an earlier release did not write (COLLECTION_UPGRADES) in a generation it
   * filled: one whose collection lacks the index on that field, which this release builds before
   * a generation serves. Walks the documents in partition order, a partition's next giving the
   * value: an aggregation's sort, which may spill to disk (no index gives that order, and a find's
   * sort in memory stops at 100 MB; FerretDB ignores the option).
   */
  private async fillFollowingValues(model: ReadModelName, generation: number): Promise<{ collections: string[]; fields: string[]; documents: number }> {
    const upgraded = { collections: [] as string[], fields: [] as string[], documents: 0 };
    for (const collection of PROJECTIONS[model].collections) {
      const upgrade = COLLECTION_UPGRADES[collection];
      if (!upgrade) continue;
      const { field, partition, order, value, otherwise } = upgrade;
      const documents = this.collection(collection, generation);
      const marker = indexName(collection, COLLECTION_INDEXES[collection].find((fields) => fields.includes(field)) as readonly string[]);
      const indexes = await this.indexNames(collection, generation);
      if (!indexes || indexes.includes(marker)) continue;
      const fields = [...partition, order, value].map(checkFieldName);
      const cursor = documents.aggregate<StoredDocument>(
        [{ $project: Object.fromEntries(fields.map((name) => [name, 1])) }, { $sort: Object.fromEntries([...partition, order].map((name) => [name, 1])) }],
        { allowDiskUse: true },
      );
      let operations: AnyBulkWriteOperation<StoredDocument>[] = [];
      const set = async (id: string, replacedBy: JsonValue | undefined): Promise<void> => {
        operations.push({ updateOne: { filter: { _id: id }, update: { $set: { [field]: replacedBy } } } });
        upgraded.documents++;
        if (operations.length < MAX_OPERATIONS_PER_COMMAND) return;
        await documents.bulkWrite(operations, { ordered: true });
        operations = [];
      };
      let previous: StoredDocument | undefined;
      for await (const document of cursor) {
        if (previous) await set(previous._id, partition.every((name) => previous?.[name] === document[name]) ? document[value] : otherwise);
        previous = document;
      }
      if (previous) await set(previous._id, otherwise);
      if (operations.length > 0) await documents.bulkWrite(operations, { ordered: true });
      upgraded.collections.push(generationName(collection, generation));
      if (!upgraded.fields.includes(field)) upgraded.fields.push(field);
    }
    return upgraded;
  }

  /** Index names of a generation's collection; undefined if it was never written. */
  private async indexNames(collection: CollectionName, generation: number): Promise<string[] | undefined> {
    const indexes = await this.collection(collection, generation)
      .indexes()
      .catch((error: unknown) => {
        if ((error as { code?: unknown }).code === NAMESPACE_NOT_FOUND) return undefined;
        throw error;
      });
    return indexes?.map((index) => String(index.name));
  }

  /** Indexes an earlier release built that nothing selects by any more (RETIRED_INDEXES): every write kept them up. */
  private async dropRetiredIndexes(model: ReadModelName, generation: number): Promise<void> {
    for (const collection of PROJECTIONS[model].collections) {
      const retired = (RETIRED_INDEXES[collection] ?? []).map((fields) => fields.join('_'));
      if (retired.length === 0) continue;
      const present = (await this.indexNames(collection, generation)) ?? [];
      for (const name of retired.filter((index) => present.includes(index))) {
        await this.collection(collection, generation)
          .dropIndex(name)
          .catch((error: unknown) => {
            // Another process starting at the same moment dropped it.
            if ((error as { code?: unknown }).code !== INDEX_NOT_FOUND) throw error;
          });
      }
    }
  }

  /** Built once a generation is filled (a rebuild writes faster without them) and before it serves. */
  private async createIndexes(model: ReadModelName, generation: number): Promise<void> {
    for (const collection of PROJECTIONS[model].collections) {
      // One index per call: FerretDB 1.24 drops the connection on a createIndexes of several indexes that all exist.
      for (const fields of COLLECTION_INDEXES[collection]) {
        const key = Object.fromEntries(fields.map((name) => [name, 1 as const]));
        await this.collection(collection, generation).createIndex(key, { name: fields.join('_') });
      }
    }
  }

  /**
   * Adds what the batch does to the counts, before its documents are written: the documents it
   * names are read and the changes applied to them in memory by the reference semantics. Each
   * group's counts carry the version of the last batch added to them, so a batch applied again
   * after a crash adds only the moves of changes after it: between the counts and the documents
   * no write is lost or counted twice, without a transaction.
   */
  private async moveCounts(collection: CollectionName, counted: CountedField, generation: number, changes: readonly VersionedChange[]): Promise<void> {
    const ids = [...new Set(changes.map(countedChangeId))];
    const found = await this.collection(collection, generation).find({ _id: { $in: ids } }).toArray();
    const documents = new Map<string, VersionedDocument>(found.map(({ _id, _v, ...document }) => [_id, { version: _v, document: document as ReadModelDocument }]));
    const moves = new CountMoves(counted);
    for (const versioned of changes) {
      const id = countedChangeId(versioned);
      const before = documents.get(id);
      const outcome = applyToDocument(before, versioned.change, versioned.version);
      if (outcome === undefined) continue;
      moves.record(before?.document, outcome?.document, versioned.version);
      if (outcome === null) documents.delete(id);
      else documents.set(id, outcome);
    }
    const last = changes[changes.length - 1].version;
    const counts = this.countsOf(collection, generation);
    const groups = moves.groups();
    const added = new Map((await counts.find({ _id: { $in: groups } }).toArray()).map((document) => [document._id, document._v]));
    for (const group of groups) {
      const since = added.get(group);
      if (since !== undefined && since >= last) continue;
      const inc = Object.fromEntries([...moves.sums(group, since)].map(([value, n]) => [`n.${value}`, n]));
      await counts.updateOne(
        since === undefined ? { _id: group } : { _id: group, _v: since },
        { ...(Object.keys(inc).length > 0 && { $inc: inc }), $set: { _v: last } },
        { upsert: since === undefined },
      );
    }
  }

  /**
   * Documents written before the store kept counts are counted once, when their counts collection
   * is first made (at the start of a version that keeps them, the projector stopped).
   */
  private async countExisting(model: ReadModelName, generation: number): Promise<void> {
    for (const collection of PROJECTIONS[model].collections) {
      const counted = COLLECTION_COUNTS[collection];
      const name = countsName(collection, generation);
      if (!counted || (await this.db.listCollections({ name }, { nameOnly: true }).toArray()).length > 0) continue;
      const documents = this.collection(collection, generation);
      const groups = await documents
        .aggregate<{ _id: { group: string; value: string }; n: number }>([
          { $match: { [checkFieldName(counted.field)]: { $ne: null } } },
          { $group: { _id: { group: `$${checkFieldName(counted.group)}`, value: `$${counted.field}` }, n: { $sum: 1 } } },
        ])
        .toArray();
      const [newest] = await documents.find({}, { projection: { _v: 1 } }).sort({ _v: -1 }).limit(1).toArray();
      try {
        await this.db.createCollection(name);
      } catch (error) {
        // Another process starting at the same moment made it: it counts them.
        if ((error as { code?: number }).code === NAMESPACE_EXISTS) continue;
        throw error;
      }
      const byGroup = new Map<string, CountsDocument>();
      for (const { _id, n } of groups) {
        const document = byGroup.get(_id.group) ?? { _id: _id.group, n: {}, _v: newest._v };
        document.n[checkFieldName(String(_id.value))] = n;
        byGroup.set(_id.group, document);
      }
      if (byGroup.size > 0) await this.countsOf(collection, generation).insertMany([...byGroup.values()]);
    }
  }

  private async dropCollections(model: ReadModelName, generation: number): Promise<void> {
    const names = PROJECTIONS[model].collections.flatMap((collection) => [generationName(collection, generation), countsName(collection, generation)]);
    for (const name of names) {
      await this.db
        .collection(name)
        .drop()
        .catch((error: unknown) => {
          if ((error as { code?: number }).code !== NAMESPACE_NOT_FOUND) throw error;
        });
    }
    await this.checkpoints().deleteOne({ _id: checkpointId(model, generation) });
  }

  /**
   * A read the routes serve: run again once on a pooled connection found closed (a store back
   * from an outage answers it), else an outage (503). The whole read is run again, before any of
   * its answer is used: a streamed export retries a page, never a part of one already sent.
   */
  private async read<T>(query: () => Promise<T>): Promise<T> {
    try {
      return await retriedOnLostConnection(query);
    } catch (error) {
      throw unavailableIfUnreachable(error);
    }
  }

  private async queried(query: { collection: CollectionName; generation?: number }): Promise<Collection<StoredDocument>> {
    return this.collection(query.collection, query.generation ?? (await this.activeGeneration(modelOf(query.collection))));
  }

  private collection(collection: CollectionName, generation: number): Collection<StoredDocument> {
    return this.db.collection<StoredDocument>(generationName(collection, generation));
  }

  private countsOf(collection: CollectionName, generation: number): Collection<CountsDocument> {
    return this.db.collection<CountsDocument>(countsName(collection, generation));
  }

  private generations(): Collection<GenerationDocument> {
    return this.db.collection<GenerationDocument>(GENERATIONS);
  }

  private checkpoints(): Collection<CheckpointDocument> {
    return this.db.collection<CheckpointDocument>(CHECKPOINTS);
  }
}

function collectionNames(model: ReadModelName, generation: number): Record<string, string> {
  return Object.fromEntries(PROJECTIONS[model].collections.map((collection) => [collection, generationName(collection, generation)]));
}

type GuardedChange = Exclude<DocumentChange, InsertDocument>;

/** Runs of inserts go out as one unordered insertMany, the other runs as ordered bulk writes. */
async function writeInOrder(collection: Collection<StoredDocument>, changes: readonly VersionedChange[]): Promise<void> {
  let run: VersionedChange[] = [];
  const flush = async (): Promise<void> => {
    if (run.length === 0) return;
    const [first] = run;
    if (first.change.kind === 'insert') await insertMissing(collection, run);
    else await bulkWriteGuarded(collection, run.map(({ change, version }) => toOperation(change as GuardedChange, version)));
    run = [];
  };
  for (const change of changes) {
    if (run.length > 0 && (run[0].change.kind === 'insert') !== (change.change.kind === 'insert')) await flush();
    run.push(change);
  }
  await flush();
}

/** A document that is there already was inserted by an earlier try: its duplicate _id is no error. */
async function insertMissing(collection: Collection<StoredDocument>, inserts: readonly VersionedChange[]): Promise<void> {
  const documents = inserts.map(({ change, version }) => ({ ...(change as InsertDocument).document, _id: (change as InsertDocument).id, _v: version }));
  try {
    await collection.insertMany(documents, { ordered: false });
  } catch (error) {
    const errors = error instanceof MongoBulkWriteError ? [error.writeErrors].flat() : [];
    if (errors.length === 0 || errors.some((writeError) => writeError.code !== DUPLICATE_KEY)) throw error;
  }
}

/** Each change as one guarded write: it touches only documents older than itself. */
function toOperation(change: GuardedChange, version: string): AnyBulkWriteOperation<StoredDocument> {
  const older = { _v: { $lt: version } };
  switch (change.kind) {
    case 'upsert':
      return {
        replaceOne: { filter: { _id: change.id, ...older }, replacement: { ...change.document, _id: change.id, _v: version }, upsert: true },
      };
    case 'patch':
      return {
        updateOne: { filter: { _id: change.id, ...older, ...conditionsFilter(change.when) }, update: { $set: { ...change.set, _v: version } } },
      };
    case 'patchWhere':
      return { updateMany: { filter: { ...conditionsFilter(change.where), ...older }, update: { $set: { ...change.set, _v: version } } } };
    case 'delete':
      return { deleteOne: { filter: { _id: change.id, ...older } } };
    case 'deleteWhere':
      return { deleteMany: { filter: { ...conditionsFilter(change.where), ...older } } };
  }
}

/**
 * An ordered bulk write where an upsert that finds a newer document is skipped: its guarded
 * filter matches nothing, so it tries to insert and hits the unique _id. The write stops there;
 * as FerretDB 1.24 reports the wrong index for that error, the operations are then applied again
 * one by one, which is harmless since each is guarded by the versions.
 */
async function bulkWriteGuarded(collection: Collection<StoredDocument>, operations: Array<AnyBulkWriteOperation<StoredDocument>>): Promise<void> {
  try {
    for (let i = 0; i < operations.length; i += MAX_OPERATIONS_PER_COMMAND) {
      await collection.bulkWrite(operations.slice(i, i + MAX_OPERATIONS_PER_COMMAND), { ordered: true });
    }
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    for (const operation of operations) await writeOne(collection, operation);
  }
}

/** A duplicate _id can also come from a racing insert of an older document: the upsert is retried as a plain guarded replace. */
async function writeOne(collection: Collection<StoredDocument>, operation: AnyBulkWriteOperation<StoredDocument>): Promise<void> {
  try {
    await collection.bulkWrite([operation]);
  } catch (error) {
    if (!isDuplicateKey(error) || !('replaceOne' in operation)) throw error;
    await collection.replaceOne(operation.replaceOne.filter, operation.replaceOne.replacement);
  }
}

const isDuplicateKey = (error: unknown): boolean => error instanceof MongoServerError && error.code === DUPLICATE_KEY;

/** Conditions of changes; `$eq: null` also matches a missing field, as the reference semantics say. */
function conditionsFilter(conditions: Conditions = {}): Filter<StoredDocument> {
  return Object.fromEntries(Object.entries(conditions).map(([path, value]) => [checkFieldName(path), { $eq: value }]));
}

const OPERATORS = { eq: '$eq', gt: '$gt', gte: '$gte', lt: '$lt', lte: '$lte', in: '$in' } as const;

/** undefined when the conditions select nothing (an empty `in`). Values are checked, and always under an operator. */
function toFilter(query: Pick<DocumentQuery, 'collection' | 'conditions'>): Filter<StoredDocument> | undefined {
  const filter: Record<string, Document> = {};
  for (const condition of query.conditions) {
    const name = checkQueryField(query.collection, condition.field);
    const value = condition.op === 'in' ? inValues(condition) : checkQueryValue(condition.value);
    if (Array.isArray(value) && value.length === 0) return undefined;
    filter[name] = { ...filter[name], [OPERATORS[condition.op]]: value };
  }
  return filter as Filter<StoredDocument>;
}

/** The query's order, index (createIndexes names each after its fields), offset and limit on a find's cursor. */
function shape(cursor: Pick<FindCursor, 'sort' | 'hint' | 'skip' | 'limit'>, query: Pick<DocumentQuery, 'collection' | 'orderBy' | 'descending' | 'index' | 'limit' | 'offset'>): void {
  cursor.sort({ [checkQueryField(query.collection, query.orderBy)]: query.descending ? -1 : 1 });
  if (query.index) cursor.hint(indexName(query.collection, query.index));
  if (query.offset !== undefined) cursor.skip(query.offset);
  if (query.limit !== undefined) cursor.limit(query.limit);
}

function inValues(condition: Extract<Condition, { op: 'in' }>): Array<string | number> {
  if (!Array.isArray(condition.value)) throw new TypeError(`${condition.field}: 'in' needs a list`);
  return condition.value.map(checkQueryValue);
}

/** MongoDB out of reach is an outage (503 with Retry-After), not a bug. */
const unavailableIfUnreachable = (error: unknown): unknown =>
  connectionLost(error) ||
  error instanceof MongoNetworkError || error instanceof MongoServerSelectionError || error instanceof MongoTopologyClosedError
    ? new StoreUnavailable('the read models (MongoDB)', error)
    : error;

/**
 * The stages of MongoDB's winning plan; or, from FerretDB 1.x, its PostgreSQL plan (every node,
 * with the filter PostgreSQL applies) and what it pushed down. FerretDB 1.24 pushes down only
 * equalities on top-level fields: ranges, `in`, the sort and (with a filter or sort) the limit run
 * in its own process, over every row those equalities select.
 */
function describePlan(explained: Document): QueryPlan {
  const planner = explained.queryPlanner as Document | undefined;
  if (planner?.winningPlan) {
    const stages: string[] = [];
    const walk = (stage: Document): void => {
      stages.push(`${stage.stage as string}${stage.indexName ? ` ${stage.indexName as string}` : ''}`);
      for (const child of [stage.inputStage, ...((stage.inputStages as Document[] | undefined) ?? [])]) if (child) walk(child as Document);
    };
    walk(planner.winningPlan as Document);
    const indexed = stages.some((stage) => /^(IXSCAN|IDHACK|EXPRESS)/.test(stage)) && !stages.some((stage) => /^(COLLSCAN|SORT)\b/.test(stage));
    return { indexed, detail: stages };
  }
  const nodes: string[] = [];
  const walkPostgres = (node: Document): void => {
    nodes.push(`PostgreSQL ${String(node['Node Type'])}${node['Index Name'] ? ` using ${String(node['Index Name'])}` : ''}${node.Filter ? ` filter ${String(node.Filter)}` : ''}`);
    for (const child of (node.Plans as Document[] | undefined) ?? []) walkPostgres(child);
  };
  if (planner?.Plan) walkPostgres(planner.Plan as Document);
  const pushdown = ['filterPushdown', 'sortPushdown', 'limitPushdown'].map((name) => `${name}: ${String(explained[name])}`);
  return { indexed: false, detail: [...nodes, ...pushdown] };
}
