import { describeWithMongo } from '../read-models/support/stores';
import { describeMerkleNodeStore } from './merkle-node-store.contract';
import { openMongoNodes } from './support/node-stores';

describeWithMongo('MongoDB Merkle nodes', () => {
  describeMerkleNodeStore('MongoDB', async () => openMongoNodes());
});
