import type { CliIo } from './cli-io';

/**
 * Human text by default, JSON with --json. With --json, stdout holds the JSON result alone, so
 * context meant for a human (what is about to be signed, warnings) goes to stderr.
 */
export class Output {
  constructor(
    private readonly io: CliIo,
    readonly json: boolean,
  ) {}

  /** The command's result. */
  result(human: string, json: unknown): void {
    this.io.stdout.write(this.json ? `${JSON.stringify(json, null, 2)}\n` : `${human}\n`);
  }

  /** Context shown before a prompt or a decision. */
  info(text: string): void {
    (this.json ? this.io.stderr : this.io.stdout).write(`${text}\n`);
  }

  warn(text: string): void {
    this.io.stderr.write(`warning: ${text}\n`);
  }
}

/** Aligned columns, two spaces apart; empty cells show as "-". */
export function formatTable(headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | null | undefined>>): string {
  const cells = [headers, ...rows.map((row) => row.map((cell) => (cell === undefined || cell === null || cell === '' ? '-' : cell)))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => [...(row[column] ?? '')].length)));
  return cells
    .map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]))).join('  '))
    .join('\n');
}

/** Labelled lines ("label  value"), for one record. */
export function formatFields(fields: ReadonlyArray<readonly [string, string | undefined]>): string {
  const shown = fields.filter(([, value]) => value !== undefined && value !== '');
  const width = Math.max(...shown.map(([label]) => label.length));
  return shown.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`).join('\n');
}
