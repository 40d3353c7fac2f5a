import 'reflect-metadata';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Bench, BenchRow } from './bench-row';

/**
 * `npm run bench [-- substring...]`: runs every exported `…Bench` of every *.bench.js in this
 * folder and below (those whose file:export name holds one of the substrings, when given), then
 * prints one markdown table. A failing bench is reported and the others still run; the exit
 * code says whether any failed.
 */

function benchFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return benchFiles(path);
      return entry.name.endsWith('.bench.js') ? [path] : [];
    })
    .sort();
}

const cell = (text: string): string => text.replace(/\|/g, '\\|');
const number = (value: number | undefined): string => (value === undefined ? '' : value.toLocaleString('en-US'));

function table(results: Array<{ bench: string; row: BenchRow }>): string {
  const lines = ['| bench | figure | value | unit | ceiling | ceiling value | ratio |', '|---|---|---:|---|---|---:|---:|'];
  for (const { bench, row } of results) {
    const ratio = row.ceilingValue ? (row.value / row.ceilingValue).toFixed(2) : '';
    lines.push(`| ${[bench, row.name, number(row.value), row.unit, row.ceilingName ?? '', number(row.ceilingValue), ratio].map(cell).join(' | ')} |`);
  }
  return lines.join('\n');
}

async function main(filters: string[]): Promise<number> {
  const results: Array<{ bench: string; row: BenchRow }> = [];
  let failed = 0;
  for (const file of benchFiles(__dirname)) {
    const exports = require(file) as Record<string, unknown>;
    for (const [name, bench] of Object.entries(exports)) {
      const id = `${relative(__dirname, file)}:${name}`;
      if (!name.endsWith('Bench') || typeof bench !== 'function') continue;
      if (filters.length > 0 && !filters.some((filter) => id.includes(filter))) continue;
      const started = Date.now();
      console.error(`running ${id}`);
      try {
        for (const row of await (bench as Bench)()) results.push({ bench: name, row });
        console.error(`  done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      } catch (error) {
        failed++;
        console.error(`  FAILED after ${((Date.now() - started) / 1000).toFixed(1)} s:`, error);
      }
    }
  }
  console.log(table(results));
  if (failed > 0) console.error(`${failed} bench(es) failed`);
  return failed > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
