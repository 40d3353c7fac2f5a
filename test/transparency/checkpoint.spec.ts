import { checkpointTime, formatCheckpoint, openCheckpoint, parseCheckpoint, signCheckpoint, timestampLine } from '../../src/transparency/checkpoint';
import { EMPTY_ROOT, leafHash } from '../../src/transparency/merkle-tree';
import { InvalidNote, signerFromSeed } from '../../src/transparency/signed-note';

/** A checkpoint of sum.golang.org as published (see signed-note.spec.ts, which verifies its signature). */
const SUMDB_BODY = 'go.sum database tree\n49189689\nftjbAOzaupaIvaPo/G+Dk63nxOZ2s1OPOKIaPtXs7S4=\n';

describe('C2SP tlog-checkpoint', () => {
  const log = signerFromSeed('ztkeys.test/log', Buffer.alloc(32, 3));
  const origin = 'ztkeys.test/log/org/acme';

  it('reads and writes back a published checkpoint', () => {
    const checkpoint = parseCheckpoint(SUMDB_BODY);
    expect(checkpoint).toMatchObject({ origin: 'go.sum database tree', size: 49189689, extensions: [] });
    expect(checkpoint.rootHash.toString('base64')).toBe('ftjbAOzaupaIvaPo/G+Dk63nxOZ2s1OPOKIaPtXs7S4=');
    expect(formatCheckpoint(checkpoint)).toBe(SUMDB_BODY);
  });

  it('signs a checkpoint with a timestamp line and opens it for its origin only', () => {
    const at = new Date('2026-11-30T15:00:00.000Z');
    const note = signCheckpoint({ origin, size: 3, rootHash: leafHash(Buffer.from('x')), extensions: [timestampLine(at)] }, log);
    expect(note.split('\n').slice(0, 4)).toEqual([origin, '3', leafHash(Buffer.from('x')).toString('base64'), 'timestamp 2026-11-30T15:00:00.000Z']);
    const opened = openCheckpoint(note, log, origin);
    expect(opened.size).toBe(3);
    expect(checkpointTime(opened)).toEqual(at);
    expect(() => openCheckpoint(note, log, 'ztkeys.test/log/org/other')).toThrow('not "ztkeys.test/log/org/other"');
    expect(() => openCheckpoint(note.replace('\n3\n', '\n4\n'), log, origin)).toThrow('does not verify');
  });

  it('refuses malformed checkpoints', () => {
    const root = EMPTY_ROOT.toString('base64');
    for (const bad of [
      `${origin}\n${root}\n`,
      `${origin}\n01\n${root}\n`,
      `${origin}\n-1\n${root}\n`,
      `${origin}\n9007199254740993\n${root}\n`,
      `${origin}\n1\n${root.slice(0, -2)}\n`,
      `${origin}\n1\n${root}`,
      `\n1\n${root}\n`,
      // No tree of size 0 has another root than the empty tree's.
      `${origin}\n0\n${Buffer.alloc(32, 3).toString('base64')}\n`,
    ]) {
      expect(() => parseCheckpoint(bad)).toThrow(InvalidNote);
    }
    expect(parseCheckpoint(`${origin}\n0\n${root}\n`).size).toBe(0);
    expect(() => formatCheckpoint({ origin, size: 1, rootHash: Buffer.alloc(31), extensions: [] })).toThrow(InvalidNote);
    expect(() => formatCheckpoint({ origin, size: 1, rootHash: EMPTY_ROOT, extensions: ['two\nlines'] })).toThrow(InvalidNote);
  });
});
