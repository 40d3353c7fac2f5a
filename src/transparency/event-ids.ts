/**
 * The event ids an export file gave so far, each with the line that gave it: the log gives every
 * event its own id, by which the audit trail and the proofs by eventId find it. An id in the form
 * the server writes (a lowercase UUID) is kept as its 16 bytes, a third of its text: this is the
 * one part of the verifier's memory that grows with the file. A Map, whose hashing the platform
 * seeds at random, so that a forged file cannot make its lookups collide.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Before any other id: a UUID's bytes are all below it, so the two kinds of key never meet. */
const OTHER = '\u0100';

export class EventIds {
  private readonly lines = new Map<string, number>();

  /** Records `id`, given on `line`: the line that gave it before, if one did. */
  add(id: string, line: number): number | undefined {
    const key = UUID.test(id) ? Buffer.from(id.replaceAll('-', ''), 'hex').toString('latin1') : `${OTHER}${id}`;
    const before = this.lines.get(key);
    if (before === undefined) this.lines.set(key, line);
    return before;
  }
}
