/** Opens the Merkle node store adapters on throwaway data: a temp folder, or a database of its own. */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { MongoMerkleNodeStore } from '../../../src/transparency/node-store/mongo-merkle-node-store';
import { SqliteMerkleNodeStore } from '../../../src/transparency/node-store/sqlite-merkle-node-store';
import { MONGODB_URL, tempDir } from '../../read-models/support/stores';
import { dropMongoDatabase, throwawayDatabaseName } from '../../support/mongo-database';
import type { OpenedNodeStore } from '../merkle-node-store.contract';

export function openSqliteNodes(dir = tempDir('merkle-nodes')): OpenedNodeStore {
  const path = join(dir, 'merkle-nodes.sqlite');
  return {
    store: new SqliteMerkleNodeStore({ path }),
    reopen: async () => new SqliteMerkleNodeStore({ path }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function openMongoNodes(): OpenedNodeStore {
  const url = MONGODB_URL as string;
  const database = throwawayDatabaseName('ztkeys_nodes');
  return {
    store: new MongoMerkleNodeStore({ url, database }),
    reopen: async () => new MongoMerkleNodeStore({ url, database }),
    cleanup: async () => dropMongoDatabase(url, database),
  };
}
