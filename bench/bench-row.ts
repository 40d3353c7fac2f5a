/** One line of the `npm run bench` table: a figure beside the ceiling measured in the same run. */
export interface BenchRow {
  /** What was measured, e.g. "signed sensitive-task authorizations". */
  name: string;
  value: number;
  unit: string;
  /** The ceiling it is compared with, e.g. "bare node:crypto Ed25519 verify". */
  ceilingName?: string;
  ceilingValue?: number;
}

/** A benchmark module exports one of these; bench/run.ts runs them in turn and prints the table. */
export type Bench = () => Promise<BenchRow[]>;
