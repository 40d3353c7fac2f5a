import { valueAt, type ReadModelDocument, type VersionedChange } from '../../projections/document-change';
import { checkFieldName, type CountedField } from './read-model-schema';

/** One change's effect on one count of its group: a document joined (n = 1) or left (n = -1) the count of `value`. */
interface Move {
  value: string;
  n: 1 | -1;
  version: string;
}

/** Where a document is counted: the value of the counted field within its group. */
export interface CountedAs {
  group: string;
  value: string;
}

/**
 * What a batch of changes does to the counts of a counted collection, recorded change by change
 * from each document before and after it. The stores add the sums to the counts they keep.
 */
export class CountMoves {
  /** By group, in the order recorded. */
  private readonly moves = new Map<string, Move[]>();

  constructor(private readonly counted: CountedField) {}

  /** A change made `before` into `after` (undefined: no document); a change that did nothing is not recorded. */
  record(before: ReadModelDocument | undefined, after: ReadModelDocument | undefined, version: string): void {
    this.move(before && this.countedAs(before), after && this.countedAs(after), version);
  }

  /** A change moved a document from where it was counted (`left`) to `joined` (undefined: not counted). */
  move(left: CountedAs | undefined, joined: CountedAs | undefined, version: string): void {
    if (left?.group === joined?.group && left?.value === joined?.value) return;
    // Literals of one shape: a spread of `left` built a copy of another shape for each move.
    if (left) this.add(left.group, { value: checkFieldName(left.value), n: -1, version });
    if (joined) this.add(joined.group, { value: checkFieldName(joined.value), n: 1, version });
  }

  groups(): string[] {
    return [...this.moves.keys()];
  }

  /** The sum of the group's moves of versions after `since` (all when undefined), by value; zero sums left out. */
  sums(group: string, since?: string): Map<string, number> {
    const sums = new Map<string, number>();
    for (const move of this.moves.get(group) ?? []) {
      if (since !== undefined && move.version <= since) continue;
      sums.set(move.value, (sums.get(move.value) ?? 0) + move.n);
    }
    for (const [value, n] of sums) if (n === 0) sums.delete(value);
    return sums;
  }

  /**
   * Where a document is counted; nowhere without a value. A counted value becomes a field name of
   * the MongoDB counts document: it must be a plain name (checked once it moves a count).
   */
  countedAs(document: ReadModelDocument): CountedAs | undefined {
    const value = valueAt(document, this.counted.field);
    if (value === undefined || value === null) return undefined;
    const group = valueAt(document, this.counted.group);
    if (typeof group !== 'string') throw new TypeError(`a counted document needs a string ${this.counted.group}`);
    return { group, value: String(value) };
  }

  private add(group: string, move: Move): void {
    const moves = this.moves.get(group);
    if (moves) moves.push(move);
    else this.moves.set(group, [move]);
  }
}

/** The id of the document a change to a counted collection names; a change by conditions is refused. */
export function countedChangeId({ change }: VersionedChange): string {
  if (!('id' in change)) throw new TypeError(`${change.collection} is counted: its changes name their document, ${change.kind} does not`);
  return change.id;
}
