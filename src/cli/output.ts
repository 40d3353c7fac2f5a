import { jsonShown, onOneLineShown, withHiddenShown } from '../shared/hidden-characters';
import { usageError } from './cli-error';
import type { CliIo } from './cli-io';

/**
 * Human text by default, JSON with --json. With --json, stdout holds the JSON result alone, so
 * context meant for a human (what is about to be signed, warnings) goes to stderr. Human text
 * holds what the server answered (names, reasons, problems): controls and bidirectional
 * formatting characters in it are written as escapes, so no answer writes to the terminal itself;
 * in JSON, as JSON escapes (the same value to a parser).
 */
export class Output {
  constructor(
    private readonly io: CliIo,
    readonly json: boolean,
    private readonly fields?: readonly string[],
  ) {}

  /** The command's result; `itemFields`, the members its list's items may hold (an empty list shows none). */
  result(human: string, json: unknown, itemFields: readonly string[] = []): void {
    this.io.stdout.write(this.json ? `${jsonShown(this.fields ? selectFields(json, this.fields, itemFields) : json, 2)}\n` : `${withHiddenShown(human)}\n`);
  }

  /** Context shown before a prompt or a decision. */
  info(text: string): void {
    (this.json ? this.io.stderr : this.io.stdout).write(`${withHiddenShown(text)}\n`);
  }

  warn(text: string): void {
    this.io.stderr.write(`warning: ${withHiddenShown(text)}\n`);
  }
}

/**
 * Aligned columns, two spaces apart; empty cells show as "-". A cell is one line: a line break or tab
 * in it (a name a server sent) shows as its escape, so it cannot forge a row or shift a column.
 */
export function formatTable(headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | null | undefined>>): string {
  const cells = [headers, ...rows.map((row) => row.map((cell) => (cell === undefined || cell === null || cell === '' ? '-' : onOneLineShown(cell))))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => [...(row[column] ?? '')].length)));
  return cells
    .map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]))).join('  '))
    .join('\n');
}

/** Labelled lines ("label  value"), for one record; a value is one line, as a table's cell is (formatTable). */
export function formatFields(fields: ReadonlyArray<readonly [string, string | undefined]>): string {
  const shown = fields.filter(([, value]) => value !== undefined && value !== '');
  const width = Math.max(...shown.map(([label]) => label.length));
  return shown.map(([label, value]) => `  ${label.padEnd(width)}  ${onOneLineShown(value!)}`).join('\n');
}

/**
 * Only the named top-level members of a result (of each item when it is a list, or of the first
 * member that is a list of records, as `keys pending` and `status` answer); a name the result
 * does not have is a usage error that lists the ones it has.
 */
export function selectFields(result: unknown, fields: readonly string[], itemFields: readonly string[] = []): unknown {
  const records = (value: unknown): value is Record<string, unknown>[] =>
    Array.isArray(value) && value.every((item) => typeof item === 'object' && item !== null && !Array.isArray(item));
  const check = (available: ReadonlySet<string>): void => {
    const unknown = fields.filter((field) => !available.has(field));
    if (unknown.length > 0) throw usageError(`--json: no field ${unknown.join(', ')}; available: ${[...available].sort().join(', ')}.`);
  };
  const pick = (record: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(fields.filter((field) => field in record).map((field) => [field, record[field]]));
  // Checked before any item is picked: an empty list checks the fields too.
  const pickEach = (items: Record<string, unknown>[]): Record<string, unknown>[] => {
    check(new Set([...itemFields, ...items.flatMap((item) => Object.keys(item))]));
    return items.map(pick);
  };
  if (records(result)) return pickEach(result);
  if (typeof result !== 'object' || result === null) throw usageError('--json: this result has no fields to select.');
  const record = result as Record<string, unknown>;
  const own = new Set(Object.keys(record));
  const list = Object.values(record).find(records);
  if (list && !fields.every((field) => own.has(field))) return pickEach(list);
  check(own);
  return pick(record);
}
