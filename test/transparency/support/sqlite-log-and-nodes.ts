import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../../../src/event-store/sqlite/sqlite-event-store';
import { SqliteMerkleNodeStore } from '../../../src/transparency/node-store/sqlite-merkle-node-store';

export interface SqliteLogAndNodes {
  readonly dir: string;
  readonly events: SqliteEventStore;
  readonly nodes: SqliteMerkleNodeStore;
}

/** The real embedded log and node store in a folder of their own, opened before each test of the suite and removed after it. */
export function sqliteLogAndNodesForEach(prefix: string): SqliteLogAndNodes {
  let opened: { dir: string; events: SqliteEventStore; nodes: SqliteMerkleNodeStore } | undefined;
  beforeEach(() => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    opened = { dir, events: new SqliteEventStore({ path: join(dir, 'events.sqlite') }), nodes: new SqliteMerkleNodeStore({ path: join(dir, 'merkle-nodes.sqlite') }) };
  });
  afterEach(async () => {
    await opened!.nodes.close();
    await opened!.events.close();
    rmSync(opened!.dir, { recursive: true, force: true });
  });
  return {
    get dir() {
      return opened!.dir;
    },
    get events() {
      return opened!.events;
    },
    get nodes() {
      return opened!.nodes;
    },
  };
}
