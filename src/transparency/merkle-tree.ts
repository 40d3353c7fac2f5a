import { sha256 } from '../crypto/crypto-primitives';

/**
 * RFC 9162 section 2.1 Merkle trees (SHA-256), pure. Sizes and indexes are JavaScript numbers
 * checked to be safe integers; no 32-bit bit operator touches them.
 *
 * Storage model: node (level, index) is the hash of the perfect subtree over leaves
 * [index * 2^level, (index + 1) * 2^level). A node never changes once its last leaf is appended,
 * so an append stores the leaf hash and the nodes it completes (two hashes per leaf on average),
 * and every proof reads O(log n) stored nodes: see `inclusionProof`, `consistencyProof` and
 * `proofNodes`. The compact range (one node per set bit of the size) is all an appender keeps.
 */

export type Hash = Buffer;

export const HASH_SIZE = 32;

export interface NodeId {
  level: number;
  index: number;
}

export interface StoredNode extends NodeId {
  hash: Hash;
}

/** Reads a stored node; proofs only ask for nodes of subtrees that are complete at the size proven. */
export type NodeReader = (node: NodeId) => Hash;

/** A leaf range [start, end) of the tree. */
interface Range {
  start: number;
  end: number;
}

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

export const leafHash = (leafInput: Uint8Array): Hash => sha256(LEAF_PREFIX, leafInput);

export const nodeHash = (left: Uint8Array, right: Uint8Array): Hash => sha256(NODE_PREFIX, left, right);

/** MTH({}) = SHA-256 of the empty string (a constant: no hashing while the module loads, before a platform installs its primitives). */
export const EMPTY_ROOT: Hash = Buffer.from('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'hex');

function checkSize(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative safe integer, got ${value}`);
}

/** The largest power of two smaller than n (n >= 2): the split point k of RFC 9162. */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * The perfect subtrees whose right fold is MTH(D[start:end]), left to right, largest first.
 * Valid for the ranges the RFC recursion produces: start is a multiple of a power of two at
 * least end - start (the whole tree, and every range a proof names).
 */
function perfectNodes({ start, end }: Range): NodeId[] {
  const nodes: NodeId[] = [];
  let at = start;
  let level = 0;
  while (2 ** (level + 1) <= end - start) level += 1;
  for (; at < end; level -= 1) {
    const width = 2 ** level;
    if (at + width <= end) {
      nodes.push({ level, index: at / width });
      at += width;
    }
  }
  return nodes;
}

function rangeHash(range: Range, read: NodeReader): Hash {
  const nodes = perfectNodes(range).map(read);
  let hash = nodes[nodes.length - 1];
  for (let i = nodes.length - 2; i >= 0; i -= 1) hash = nodeHash(nodes[i], hash);
  return hash;
}

/** RFC 9162 2.1.3.1 PATH(m, D[start:end]) as the ranges whose hashes form the proof, in order. */
function inclusionRanges(index: number, start: number, end: number): Range[] {
  if (end - start <= 1) return [];
  const k = split(end - start);
  return index < start + k
    ? [...inclusionRanges(index, start, start + k), { start: start + k, end }]
    : [...inclusionRanges(index, start + k, end), { start, end: start + k }];
}

/** RFC 9162 2.1.4.1 SUBPROOF(m, D[start:end], b) as ranges. */
function consistencyRanges(m: number, start: number, end: number, complete: boolean): Range[] {
  const n = end - start;
  if (m === n) return complete ? [] : [{ start, end }];
  const k = split(n);
  return m <= k
    ? [...consistencyRanges(m, start, start + k, complete), { start: start + k, end }]
    : [...consistencyRanges(m - k, start + k, end, false), { start, end: start + k }];
}

function inclusionPlan(index: number, size: number): Range[] {
  checkSize('index', index);
  checkSize('size', size);
  if (index >= size) throw new RangeError(`leaf ${index} is not in a tree of ${size}`);
  return inclusionRanges(index, 0, size);
}

function consistencyPlan(first: number, second: number): Range[] {
  checkSize('first', first);
  checkSize('second', second);
  if (first > second) throw new RangeError(`a tree of ${first} cannot be a prefix of one of ${second}`);
  return first === 0 || first === second ? [] : consistencyRanges(first, 0, second, true);
}

export type ProofRequest =
  | { kind: 'root'; size: number }
  | { kind: 'inclusion'; index: number; size: number }
  | { kind: 'consistency'; first: number; second: number };

function plan(request: ProofRequest): Range[] {
  switch (request.kind) {
    case 'root':
      checkSize('size', request.size);
      return request.size === 0 ? [] : [{ start: 0, end: request.size }];
    case 'inclusion':
      return inclusionPlan(request.index, request.size);
    case 'consistency':
      return consistencyPlan(request.first, request.second);
  }
}

/** The stored nodes a root or proof reads: fetch them in one batch from an asynchronous store, then pass a reader over them. */
export function proofNodes(request: ProofRequest): NodeId[] {
  return plan(request).flatMap(perfectNodes);
}

export const treeRoot = (size: number, read: NodeReader): Hash =>
  size === 0 ? EMPTY_ROOT : rangeHash({ start: 0, end: size }, read);

export const inclusionProof = (index: number, size: number, read: NodeReader): Hash[] =>
  inclusionPlan(index, size).map((range) => rangeHash(range, read));

export const consistencyProof = (first: number, second: number, read: NodeReader): Hash[] =>
  consistencyPlan(first, second).map((range) => rangeHash(range, read));

/**
 * The right edge of a tree: one perfect subtree per set bit of its size, largest first. O(log n)
 * memory whatever the size; appending returns the nodes it completes, for storage.
 */
export class CompactRange {
  private constructor(
    private nodes: StoredNode[],
    private count: number,
  ) {}

  static empty(): CompactRange {
    return new CompactRange([], 0);
  }

  /** Resumes from stored nodes: reads the right edge of a tree of `size` leaves (proofNodes of its root). */
  static at(size: number, read: NodeReader): CompactRange {
    checkSize('size', size);
    return new CompactRange(proofNodes({ kind: 'root', size }).map((id) => ({ ...id, hash: read(id) })), size);
  }

  get size(): number {
    return this.count;
  }

  root(): Hash {
    if (this.nodes.length === 0) return EMPTY_ROOT;
    let hash = this.nodes[this.nodes.length - 1].hash;
    for (let i = this.nodes.length - 2; i >= 0; i -= 1) hash = nodeHash(this.nodes[i].hash, hash);
    return hash;
  }

  /** Appends one leaf hash; returns the leaf node and every node it completes, lowest first. */
  append(leaf: Hash): StoredNode[] {
    if (leaf.length !== HASH_SIZE) throw new RangeError(`a leaf hash has ${HASH_SIZE} bytes`);
    let node: StoredNode = { level: 0, index: this.count, hash: leaf };
    const completed = [node];
    for (let last = this.nodes.at(-1); last && last.level === node.level; last = this.nodes.at(-1)) {
      this.nodes.pop();
      node = { level: node.level + 1, index: last.index / 2, hash: nodeHash(last.hash, node.hash) };
      completed.push(node);
    }
    this.nodes.push(node);
    this.count += 1;
    return completed;
  }
}

const equal = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(a, b) === 0;
const lsb = (x: bigint): boolean => (x & 1n) === 1n;

/** Right-shifts fn and sn together until fn is odd or zero (a step of RFC 9162 2.1.3.2 and 2.1.4.2). */
function shiftToOdd(fn: bigint, sn: bigint): [bigint, bigint] {
  while (!lsb(fn) && fn !== 0n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  return [fn, sn];
}

/** RFC 9162 2.1.3.2: true when `leaf` (a leaf hash) is at `index` of the tree of `size` whose root is `root`. */
export function verifyInclusion(leaf: Hash, index: number, size: number, proof: Hash[], root: Hash): boolean {
  checkSize('index', index);
  checkSize('size', size);
  if (index >= size) return false;
  let fn = BigInt(index);
  let sn = BigInt(size - 1);
  let r = leaf;
  for (const p of proof) {
    if (sn === 0n) return false;
    if (lsb(fn) || fn === sn) {
      r = nodeHash(p, r);
      [fn, sn] = shiftToOdd(fn, sn);
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && equal(r, root);
}

/**
 * RFC 9162 2.1.4.2: true when the tree of `first` leaves with root `firstRoot` is a prefix of the
 * tree of `second` leaves with root `secondRoot`. The empty tree is a prefix of every tree, and a
 * tree of its own (with an empty proof in both cases, as in RFC 9162 2.1.4.1).
 */
export function verifyConsistency(first: number, second: number, firstRoot: Hash, secondRoot: Hash, proof: Hash[]): boolean {
  checkSize('first', first);
  checkSize('second', second);
  if (first > second) return false;
  // The tree of size 0 has one root: from any other, nothing is shown to extend.
  if (first === 0 && !equal(firstRoot, EMPTY_ROOT)) return false;
  if (first === second) return proof.length === 0 && equal(firstRoot, secondRoot);
  if (first === 0) return proof.length === 0;
  if (proof.length === 0) return false;
  let fn = BigInt(first - 1);
  const path = (BigInt(first) & fn) === 0n ? [firstRoot, ...proof] : proof;
  let sn = BigInt(second - 1);
  while (lsb(fn)) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0n) return false;
    if (lsb(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      [fn, sn] = shiftToOdd(fn, sn);
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return equal(fr, firstRoot) && equal(sr, secondRoot) && sn === 0n;
}
