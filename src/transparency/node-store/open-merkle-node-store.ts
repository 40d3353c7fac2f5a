import { join } from 'node:path';
import type { AppConfig } from '../../config/app-config';
import { makePrivateDir } from '../../shared/private-files';
import type { MerkleNodeStore } from './merkle-node-store.port';
import type { MongoMerkleNodeStore } from './mongo-merkle-node-store';
import { SqliteMerkleNodeStore } from './sqlite-merkle-node-store';

/** Beside the read models: MongoDB when MONGODB_URL is set, else DATA_DIR/merkle-nodes.sqlite. Call init() before use. */
export function openMerkleNodeStore(config: Pick<AppConfig, 'dataDir' | 'mongodbUrl'>): MerkleNodeStore {
  if (config.mongodbUrl) {
    // Required here, not imported: the embedded default starts without the MongoDB driver.
    const { MongoMerkleNodeStore: Mongo } = require('./mongo-merkle-node-store') as { MongoMerkleNodeStore: typeof MongoMerkleNodeStore };
    return new Mongo({ url: config.mongodbUrl });
  }
  makePrivateDir(config.dataDir);
  return new SqliteMerkleNodeStore({ path: embeddedMerkleNodesPath(config.dataDir) });
}

/** The embedded node store's file in DATA_DIR. */
export const embeddedMerkleNodesPath = (dataDir: string): string => join(dataDir, 'merkle-nodes.sqlite');
