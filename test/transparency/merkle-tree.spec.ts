import fc from 'fast-check';
import {
  CompactRange,
  EMPTY_ROOT,
  consistencyProof,
  inclusionProof,
  leafHash,
  nodeHash,
  proofNodes,
  treeRoot,
  verifyConsistency,
  verifyInclusion,
  type Hash,
  type NodeReader,
  type StoredNode,
} from '../../src/transparency/merkle-tree';

/**
 * Reference tree and vectors of Certificate Transparency: certificate-transparency
 * cpp/merkletree/merkletree_test.cc, as carried by google/trillian merkle/inmemory/merkle_tree_test.go
 * (leafInputs, rootsAtSize, testPaths, testProofs; there leaf numbers are 1-based, here indexes are
 * 0-based) and by transparency-dev/merkle testonly/constants.go.
 */
const LEAF_INPUTS = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'];
const ROOTS_AT_SIZE = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const INCLUSION_PATHS = [
  { index: 0, size: 8, path: ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4'] },
  { index: 5, size: 8, path: ['bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7'] },
  { index: 2, size: 3, path: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  { index: 1, size: 5, path: ['6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b'] },
];
const CONSISTENCY_PROOFS = [
  { first: 1, second: 1, proof: [] },
  { first: 1, second: 8, proof: ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4'] },
  { first: 6, second: 8, proof: ['0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7'] },
  { first: 2, second: 5, proof: ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b'] },
];

const hex = (hashes: Hash[]): string[] => hashes.map((hash) => hash.toString('hex'));

/** A tree kept the way a store keeps it: every node the appends complete, by (level, index). */
class MemoryTree {
  readonly nodes = new Map<string, Hash>();
  readonly range = CompactRange.empty();
  readonly leaves: Hash[] = [];

  static of(inputs: Uint8Array[]): MemoryTree {
    const tree = new MemoryTree();
    for (const input of inputs) tree.append(leafHash(input));
    return tree;
  }

  append(leaf: Hash): StoredNode[] {
    this.leaves.push(leaf);
    const completed = this.range.append(leaf);
    for (const node of completed) this.nodes.set(`${node.level}/${node.index}`, node.hash);
    return completed;
  }

  readonly read: NodeReader = ({ level, index }) => {
    const hash = this.nodes.get(`${level}/${index}`);
    if (!hash) throw new Error(`node ${level}/${index} is not stored`);
    return hash;
  };
}

const referenceInputs = (n: number): Buffer[] => LEAF_INPUTS.slice(0, n).map((input) => Buffer.from(input, 'hex'));

/** RFC 9162 2.1.1 MTH, transcribed literally, to check the stored-node computation against. */
function mth(leaves: Hash[]): Hash {
  if (leaves.length === 0) return EMPTY_ROOT;
  if (leaves.length === 1) return leaves[0];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

describe('RFC 9162 Merkle tree', () => {
  it('hashes the empty tree, leaves and nodes as RFC 9162 says', () => {
    expect(EMPTY_ROOT.toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(leafHash(Buffer.alloc(0)).toString('hex')).toBe(ROOTS_AT_SIZE[0]);
    expect(treeRoot(0, () => { throw new Error('no node is read'); })).toEqual(EMPTY_ROOT);
  });

  it('gives the reference roots at every size, appending leaf by leaf', () => {
    const tree = new MemoryTree();
    referenceInputs(8).forEach((input, i) => {
      tree.append(leafHash(input));
      expect(tree.range.root().toString('hex')).toBe(ROOTS_AT_SIZE[i]);
      expect(treeRoot(i + 1, tree.read).toString('hex')).toBe(ROOTS_AT_SIZE[i]);
    });
    // Earlier roots stay computable from the stored nodes of the bigger tree.
    ROOTS_AT_SIZE.forEach((root, i) => expect(treeRoot(i + 1, tree.read).toString('hex')).toBe(root));
  });

  it('gives the reference inclusion paths, which verify', () => {
    const tree = MemoryTree.of(referenceInputs(8));
    for (const { index, size, path } of INCLUSION_PATHS) {
      const proof = inclusionProof(index, size, tree.read);
      expect(hex(proof)).toEqual(path);
      expect(verifyInclusion(tree.leaves[index], index, size, proof, Buffer.from(ROOTS_AT_SIZE[size - 1], 'hex'))).toBe(true);
    }
  });

  it('gives the reference consistency proofs, which verify', () => {
    const tree = MemoryTree.of(referenceInputs(8));
    for (const { first, second, proof: expected } of CONSISTENCY_PROOFS) {
      const proof = consistencyProof(first, second, tree.read);
      expect(hex(proof)).toEqual(expected);
      const [firstRoot, secondRoot] = [first, second].map((size) => Buffer.from(ROOTS_AT_SIZE[size - 1], 'hex'));
      expect(verifyConsistency(first, second, firstRoot, secondRoot, proof)).toBe(true);
    }
  });

  it('resumes an append from the stored right edge alone', () => {
    const whole = MemoryTree.of(referenceInputs(8));
    const resumed = CompactRange.at(5, whole.read);
    for (const input of referenceInputs(8).slice(5)) resumed.append(leafHash(input));
    expect(resumed.root().toString('hex')).toBe(ROOTS_AT_SIZE[7]);
  });

  it('names in advance every node a proof reads, so a store can fetch them in one batch', () => {
    const tree = MemoryTree.of(referenceInputs(8));
    const wanted = new Set(proofNodes({ kind: 'consistency', first: 3, second: 7 }).map(({ level, index }) => `${level}/${index}`));
    const read: NodeReader = (node) => {
      expect(wanted.has(`${node.level}/${node.index}`)).toBe(true);
      return tree.read(node);
    };
    expect(consistencyProof(3, 7, read).length).toBeGreaterThan(0);
  });

  it('refuses impossible requests instead of proving them', () => {
    const tree = MemoryTree.of(referenceInputs(4));
    expect(() => inclusionProof(4, 4, tree.read)).toThrow(RangeError);
    expect(() => consistencyProof(5, 4, tree.read)).toThrow(RangeError);
    expect(() => inclusionProof(0.5, 4, tree.read)).toThrow(RangeError);
    expect(verifyInclusion(tree.leaves[0], 4, 4, [], tree.range.root())).toBe(false);
    expect(verifyConsistency(5, 4, tree.range.root(), tree.range.root(), [])).toBe(false);
    // The tree of size 0 has one root: a size 0 held with another shows nothing to extend it, not even itself.
    const other = Buffer.alloc(32, 7);
    expect(verifyConsistency(0, 4, other, tree.range.root(), [])).toBe(false);
    expect(verifyConsistency(0, 0, other, other, [])).toBe(false);
    expect(verifyConsistency(0, 0, EMPTY_ROOT, other, [])).toBe(false);
    expect(verifyConsistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])).toBe(true);
  });

  it('keeps memory logarithmic: the right edge of 2^20 - 1 leaves is 20 nodes', () => {
    expect(proofNodes({ kind: 'root', size: 2 ** 20 - 1 })).toHaveLength(20);
    expect(proofNodes({ kind: 'root', size: 2 ** 52 + 1 })).toEqual([{ level: 52, index: 0 }, { level: 0, index: 2 ** 52 }]);
  });
});

describe('RFC 9162 proofs, property-tested', () => {
  const leafInput = fc.uint8Array({ maxLength: 12 });
  // Distinct leaves (an event's leaf holds its unique id): equal leaves would prove each other's place.
  const trees = fc
    .array(leafInput, { minLength: 1, maxLength: 70 })
    .map((inputs) => MemoryTree.of(inputs.map((input, i) => Buffer.concat([Buffer.from(`${i}:`), input]))));
  const otherHash = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((bytes) => Buffer.from(bytes));

  it('every root equals the literal RFC definition', () => {
    fc.assert(
      fc.property(trees, (tree) => {
        for (let size = 0; size <= tree.leaves.length; size += 1) {
          expect(treeRoot(size, tree.read)).toEqual(mth(tree.leaves.slice(0, size)));
        }
      }),
      { numRuns: 40 },
    );
  });

  // The tree size is not bound by a proof but by the signed checkpoint that carries it with the root.
  it('every inclusion proof verifies; another leaf, index or root, or a changed proof, fails', () => {
    fc.assert(
      fc.property(trees, fc.nat(), fc.nat(), otherHash, (tree, a, b, other) => {
        const size = 1 + (a % tree.leaves.length);
        const index = b % size;
        const root = treeRoot(size, tree.read);
        const proof = inclusionProof(index, size, tree.read);
        const leaf = tree.leaves[index];
        expect(verifyInclusion(leaf, index, size, proof, root)).toBe(true);
        expect(verifyInclusion(other, index, size, proof, root)).toBe(false);
        expect(verifyInclusion(leaf, index, size, proof, other)).toBe(false);
        if (size > 1) expect(verifyInclusion(leaf, (index + 1) % size, size, proof, root)).toBe(false);
        if (proof.length > 0) {
          expect(verifyInclusion(leaf, index, size, proof.slice(1), root)).toBe(false);
          expect(verifyInclusion(leaf, index, size, [other, ...proof.slice(1)], root)).toBe(false);
        }
        expect(verifyInclusion(leaf, index, size, [...proof, other], root)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('every consistency proof verifies; another root or a changed proof fails', () => {
    fc.assert(
      fc.property(trees, fc.nat(), fc.nat(), otherHash, (tree, a, b, other) => {
        const second = 1 + (a % tree.leaves.length);
        const first = 1 + (b % second);
        const [firstRoot, secondRoot] = [treeRoot(first, tree.read), treeRoot(second, tree.read)];
        const proof = consistencyProof(first, second, tree.read);
        expect(verifyConsistency(first, second, firstRoot, secondRoot, proof)).toBe(true);
        expect(verifyConsistency(0, second, EMPTY_ROOT, secondRoot, [])).toBe(true);
        expect(verifyConsistency(first, second, other, secondRoot, proof)).toBe(false);
        expect(verifyConsistency(first, second, firstRoot, other, proof)).toBe(false);
        if (first < second) {
          expect(verifyConsistency(first, second, firstRoot, secondRoot, proof.slice(1))).toBe(false);
          expect(verifyConsistency(first, second, firstRoot, secondRoot, [other, ...proof.slice(1)])).toBe(false);
          expect(verifyConsistency(first, second, firstRoot, secondRoot, [...proof, other])).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a history that changed one earlier leaf is not consistent with the old checkpoint', () => {
    fc.assert(
      fc.property(trees, fc.nat(), fc.nat(), leafInput, (tree, a, b, input) => {
        const first = 1 + (a % tree.leaves.length);
        const changed = b % first;
        const replacement = leafHash(Buffer.concat([Buffer.from(input), Buffer.from('changed')]));
        fc.pre(!replacement.equals(tree.leaves[changed]));
        const forked = new MemoryTree();
        tree.leaves.forEach((leaf, i) => forked.append(i === changed ? replacement : leaf));
        forked.append(leafHash(Buffer.from('next')));
        const second = forked.leaves.length;
        const proof = consistencyProof(first, second, forked.read);
        expect(verifyConsistency(first, second, treeRoot(first, tree.read), treeRoot(second, forked.read), proof)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});
