import { Binary, MongoBulkWriteError, MongoClient, MongoServerError, type Collection, type Db } from 'mongodb';
import type { LogCheckpoint } from '../../event-store/log-divergence';
import { mongoAnswers, mongoClientOptions, mongoDatabaseName, retriedOnLostConnection } from '../../shared/mongodb-database';
import type { Hash, NodeId } from '../merkle-tree';
import { positionKey, type MerkleNodeStore, type NodeBatch, type OrgTreeState, type SeenCheckpoint } from './merkle-node-store.port';

/** Node (level, index) of an org: `{orgId}/{level}/{index}`, so a proof's nodes are one `$in` on _id. */
interface NodeDocument {
  _id: string;
  hash: Binary;
}

interface OrgDocument {
  _id: string;
  size: number;
  /** Absent in a document from before the root was kept: the org's root is then read from its nodes. */
  root?: Binary;
  /** positionKey: compares as text the way the position does as a number. */
  position: string;
  signed?: { size: number; at: string; revision: string };
  /** Null when every leaf is signed: absent only in a document from before the due index. */
  grewAt?: number | null;
}

/** An org's latest checkpoint seen (_id: the org); revision and position as positionKey text. */
interface SeenDocument {
  _id: string;
  revision: string;
  position: string;
  noteHash: Binary;
}

interface ProgressDocument {
  _id: 'follower';
  position: string;
  eventId?: string;
}

const NODES = 'merkle_nodes';
const ORGS = 'merkle_orgs';
const PROGRESS = 'merkle_progress';
const SEEN = 'merkle_seen_checkpoints';
const DUPLICATE_KEY = 11000;
/** FerretDB holds a pooled connection per statement of a command: keep commands small (see the read-model store). */
const PER_COMMAND = 32;

const nodeKey = (orgId: string, { level, index }: NodeId): string => `${orgId}/${level}/${index}`;

const isDuplicateKey = (error: unknown): boolean => error instanceof MongoServerError && error.code === DUPLICATE_KEY;

/** The node store in MongoDB (the read models' database, collections merkle_*); writes one command after another (FerretDB); reads run again once on a pooled connection found closed. */
export class MongoMerkleNodeStore implements MerkleNodeStore {
  private readonly client: MongoClient;
  private readonly db: Db;

  constructor(options: { url: string; database?: string }) {
    this.client = new MongoClient(options.url, mongoClientOptions(options.url, 'ztkeys-merkle-nodes'));
    this.db = this.client.db(mongoDatabaseName(options.url, options.database));
  }

  async init(): Promise<void> {
    await this.db.command({ ping: 1 });
    // The checkpointer's due orgs; signed.at is ISO-8601 text, which sorts as the time does.
    await this.orgDocuments().createIndex({ grewAt: 1 });
    await this.orgDocuments().createIndex({ 'signed.at': 1 });
    // A document from before the due index: due now if it has unsigned leaves.
    for (const document of await this.orgDocuments().find({ grewAt: { $exists: false } }).toArray()) {
      await this.orgDocuments().updateOne({ _id: document._id, grewAt: { $exists: false } }, { $set: { grewAt: document.size > (document.signed?.size ?? 0) ? 0 : null } });
    }
  }

  async checkpoint(): Promise<LogCheckpoint | undefined> {
    const progress = await retriedOnLostConnection(() => this.progress().findOne({ _id: 'follower' }));
    return progress ? { position: BigInt(progress.position), ...(progress.eventId === undefined ? {} : { eventId: progress.eventId }) } : undefined;
  }

  async org(orgId: string): Promise<OrgTreeState | undefined> {
    const document = await retriedOnLostConnection(() => this.orgDocuments().findOne({ _id: orgId }));
    return document ? orgState(document) : undefined;
  }

  async orgs(limit: number): Promise<OrgTreeState[]> {
    return (await retriedOnLostConnection(() => this.orgDocuments().find({}).limit(limit).toArray())).map(orgState);
  }

  async due(grownBy: number, signedBy: number, limit: number): Promise<OrgTreeState[]> {
    const filter = { $or: [{ grewAt: { $lte: grownBy } }, { 'signed.at': { $lte: new Date(signedBy).toISOString() } }] };
    return (await retriedOnLostConnection(() => this.orgDocuments().find(filter).limit(limit).toArray())).map(orgState);
  }

  async nodes(orgId: string, ids: readonly NodeId[]): Promise<Array<Hash | undefined>> {
    const keys = ids.map((id) => nodeKey(orgId, id));
    const found = new Map<string, Hash>();
    for (let i = 0; i < keys.length; i += PER_COMMAND * 4) {
      const batch = keys.slice(i, i + PER_COMMAND * 4);
      for (const node of await retriedOnLostConnection(() => this.nodeDocuments().find({ _id: { $in: batch } }).toArray())) {
        found.set(node._id, Buffer.from(node.hash.buffer));
      }
    }
    return keys.map((key) => found.get(key));
  }

  async apply({ nodes, orgs, seen, checkpoint }: NodeBatch): Promise<void> {
    const documents = nodes.map((node) => ({ _id: nodeKey(node.orgId, node), hash: new Binary(node.hash) }));
    for (let i = 0; i < documents.length; i += PER_COMMAND) {
      try {
        await this.nodeDocuments().insertMany(documents.slice(i, i + PER_COMMAND), { ordered: false });
      } catch (error) {
        // A node stored already (a redelivered batch) keeps its hash: nodes never change.
        const errors = error instanceof MongoBulkWriteError ? [error.writeErrors].flat() : [];
        if (errors.length === 0 || errors.some((writeError) => writeError.code !== DUPLICATE_KEY)) throw error;
      }
    }
    for (const org of orgs) {
      const document: Omit<OrgDocument, '_id'> = {
        size: org.size,
        ...(org.root ? { root: new Binary(org.root) } : {}),
        position: positionKey(org.position),
        ...(org.signed ? { signed: { size: org.signed.size, at: org.signed.at, revision: org.signed.revision.toString() } } : {}),
        grewAt: org.grewAt ?? null,
      };
      await forwardOnly(this.orgDocuments(), org.orgId, document);
    }
    for (const { orgId, revision, position, noteHash } of seen ?? []) {
      await forwardOnly(this.seenDocuments(), orgId, { revision: revision.toString(), position: positionKey(position), noteHash: new Binary(noteHash) });
    }
    await forwardOnly(this.progress(), 'follower', { position: positionKey(checkpoint.position), ...(checkpoint.eventId === undefined ? {} : { eventId: checkpoint.eventId }) });
  }

  async seenCheckpoints(): Promise<SeenCheckpoint[]> {
    const documents = await retriedOnLostConnection(() => this.seenDocuments().find({}).toArray());
    return documents.map((document) => ({ orgId: document._id, revision: BigInt(document.revision), position: BigInt(document.position), noteHash: Buffer.from(document.noteHash.buffer) }));
  }

  async forgetCheckpointsAfter(head: bigint | undefined): Promise<void> {
    await this.seenDocuments().deleteMany(head === undefined ? {} : { position: { $gt: positionKey(head) } });
  }

  async clear(): Promise<void> {
    for (const name of [NODES, ORGS, PROGRESS]) await this.db.collection(name).deleteMany({});
  }

  ping(): Promise<boolean> {
    return mongoAnswers(this.db);
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private nodeDocuments(): Collection<NodeDocument> {
    return this.db.collection<NodeDocument>(NODES);
  }

  private orgDocuments(): Collection<OrgDocument> {
    return this.db.collection<OrgDocument>(ORGS);
  }

  private seenDocuments(): Collection<SeenDocument> {
    return this.db.collection<SeenDocument>(SEEN);
  }

  private progress(): Collection<ProgressDocument> {
    return this.db.collection<ProgressDocument>(PROGRESS);
  }
}

/** Replaces the document only when its position is older; a newer one stays (the upsert then collides on _id: nothing to do). */
async function forwardOnly<D extends { _id: string; position: string }>(collection: Collection<D>, id: string, document: Omit<D, '_id'>): Promise<void> {
  try {
    await collection.replaceOne({ _id: id, position: { $lt: document.position } } as never, document as never, { upsert: true });
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
  }
}

function orgState(document: OrgDocument): OrgTreeState {
  return {
    orgId: document._id,
    size: document.size,
    ...(document.root ? { root: Buffer.from(document.root.buffer) } : {}),
    position: BigInt(document.position),
    ...(document.signed ? { signed: { size: document.signed.size, at: document.signed.at, revision: BigInt(document.signed.revision) } } : {}),
    ...(document.grewAt === undefined || document.grewAt === null ? {} : { grewAt: document.grewAt }),
  };
}
