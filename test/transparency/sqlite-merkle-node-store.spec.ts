import { describeMerkleNodeStore } from './merkle-node-store.contract';
import { openSqliteNodes } from './support/node-stores';

describeMerkleNodeStore('SQLite', async () => openSqliteNodes());
