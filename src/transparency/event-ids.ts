/**
 * The event ids an export file gave so far, each with the line that gave it: the log gives every
 * event its own id, by which the audit trail and the proofs by eventId find it. Exact, in about
 * 20 to 54 bytes an id: an id in the form the server writes (a lowercase UUID) is held as its 16
 * bytes in an open-addressing table, with its line; any other in a Map (no export of the server
 * holds one, so only a forged file pays for it).
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const WORDS = 4;

export class EventIds {
  private words = new Uint32Array(1024 * WORDS);
  /** The line of each slot's id, 0 for an empty slot (lines count from 1). */
  private lines = new Uint32Array(1024);
  private count = 0;
  private readonly others = new Map<string, number>();

  /** Records `id`, given on `line`: the line that gave it before, if one did. */
  add(id: string, line: number): number | undefined {
    if (!UUID.test(id)) {
      const before = this.others.get(id);
      if (before === undefined) this.others.set(id, line);
      return before;
    }
    const hex = id.replaceAll('-', '');
    const words = [0, 8, 16, 24].map((at) => Number.parseInt(hex.slice(at, at + 8), 16));
    // At most three quarters full, so that a probe ends soon.
    if (4 * (this.count + 1) > 3 * this.lines.length) this.grow();
    return this.place(words, line);
  }

  private place(words: number[], line: number): number | undefined {
    const mask = this.lines.length - 1;
    for (let slot = slotOf(words) & mask; ; slot = (slot + 1) & mask) {
      if (this.lines[slot] === 0) {
        this.words.set(words, slot * WORDS);
        this.lines[slot] = line;
        this.count += 1;
        return undefined;
      }
      if (words.every((word, at) => this.words[slot * WORDS + at] === word)) return this.lines[slot];
    }
  }

  private grow(): void {
    const [words, lines] = [this.words, this.lines];
    this.words = new Uint32Array(words.length * 2);
    this.lines = new Uint32Array(lines.length * 2);
    this.count = 0;
    for (let slot = 0; slot < lines.length; slot += 1) {
      if (lines[slot] !== 0) this.place(Array.from(words.subarray(slot * WORDS, (slot + 1) * WORDS)), lines[slot]);
    }
  }
}

/** A slot for the id's words: the server's ids (UUIDv7) begin with a time, and tests' end with a counter, so every word is mixed in. */
function slotOf(words: number[]): number {
  let hash = 0x811c9dc5;
  for (const word of words) {
    hash = Math.imul(hash ^ word, 0x9e3779b1);
    hash ^= hash >>> 15;
  }
  return hash >>> 0;
}
