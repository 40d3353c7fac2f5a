import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkpointOrigin, signCheckpoint, timestampLine } from '../../src/transparency/checkpoint';
import { leafInput } from '../../src/transparency/event-leaf';
import { CHECKPOINT_SIGNED } from '../../src/transparency/log-checkpointer';
import { LOG_KEY_FILE } from '../../src/transparency/log-key';
import { CompactRange, leafHash, type Hash } from '../../src/transparency/merkle-tree';
import { parseSignerKey, type NoteSigner } from '../../src/transparency/signed-note';
import type { ExportLine } from './signed-export';

/**
 * What an insider holding the log key does to hide an edit of an org's export: every checkpoint
 * line signed anew over the edited events, at its own time, covering no more events than precede
 * it, and the positions made to rise again in the lines' order where a line was moved or added.
 */
export function resignedExport(lines: ExportLine[], signer: NoteSigner, orgId: string): ExportLine[] {
  const tree = CompactRange.empty();
  const roots: Hash[] = [tree.root()];
  let position = -1;
  return lines.map((given) => {
    position = Math.max(given.position as number, position + 1);
    const line: ExportLine = { ...given, position };
    if (line.type !== CHECKPOINT_SIGNED) {
      tree.append(leafHash(leafInput(line as never)));
      roots.push(tree.root());
      return line;
    }
    const size = Math.min(line.data.size as number, roots.length - 1);
    const note = signCheckpoint({ origin: checkpointOrigin(signer.name, orgId), size, rootHash: roots[size], extensions: [timestampLine(new Date(line.occurredAt))] }, signer);
    return { ...line, data: { size, note } };
  });
}

/** The log key of a server's data folder, as the insider holds it. */
export const logSignerOf = (dataDir: string): NoteSigner => parseSignerKey(readFileSync(join(dataDir, LOG_KEY_FILE), 'utf8'));
