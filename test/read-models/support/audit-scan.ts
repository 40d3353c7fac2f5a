/**
 * Audit-log pages and exports with filters that no one index serves together examine a bounded
 * number of entries (AUDIT_PAGE_SCAN): checked on every store through the index and position range
 * of the reads they issue (and, where the store plans with indexes, that the index named serves
 * the read), and by following the cursors to the whole filtered result.
 */
import { decodeCursor } from '../../../src/application/queries/cursor';
import { AUDIT_PAGE_SCAN, ReadQueries, type AuditFilters } from '../../../src/application/queries/read-queries';
import type { DocumentQuery, ReadModelStore } from '../../../src/read-models/read-model-store.port';

export interface ScanEntry {
  position: number;
  type: string;
  actor: string;
  occurredAt: string;
}

/**
 * An org's log where `type` and `actor: 'rare'` each select about half the entries but together 4
 * (first, third, then more than a budget of either apart, and next to last): every other entry is
 * of `otherType` and by 'rare', the others by 'bulk'. A second apart from 2026-01-01; positions
 * from `first`.
 */
export function scanEntries(first: number, type: string, otherType: string): ScanEntry[] {
  const count = 5 * AUDIT_PAGE_SCAN + 400;
  const both = new Set([0, 2, 4 * AUDIT_PAGE_SCAN + 500, count - 2]);
  return Array.from({ length: count }, (_, i) => ({
    position: first + i,
    type: i % 2 === 1 ? otherType : type,
    actor: i % 2 === 1 || both.has(i) ? 'rare' : 'bulk',
    occurredAt: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
  }));
}

/**
 * Pages of several sizes and the export, filtered as a reader would (two filters, two filters and
 * a time range, a time range alone or with one filter, one filter), give exactly the filtered
 * entries in order. Every read of a page that one index does not serve exactly names the index it
 * walks and a position range holding at most AUDIT_PAGE_SCAN of that index's entries.
 */
export async function expectBoundedAuditScans(store: ReadModelStore, orgId: string, entries: readonly ScanEntry[], { plansShowIndexes = true } = {}): Promise<void> {
  const issued: DocumentQuery[] = [];
  const recording: ReadModelStore = Object.assign(Object.create(store) as ReadModelStore, {
    find: (query: DocumentQuery) => (issued.push(query), store.find(query)),
    findJson: (query: DocumentQuery, omit: readonly string[]) => (issued.push(query), store.findJson(query, omit)),
  });
  const queries = new ReadQueries(recording);
  const type = entries[0].type;
  const late = entries[entries.length - 150].occurredAt;
  const from = entries[1].occurredAt;
  // Page sizes: down to 1 where few match; where many do, sizes that still take a few pages.
  const sparse = [1, 3, 100];
  const dense = [40, 100];
  // `exact`: one index serves the filters, so a page reads only what it returns.
  const cases: Array<{ filters: AuditFilters; match: (entry: ScanEntry) => boolean; limits: number[]; exact?: true }> = [
    { filters: { type, actor: 'rare' }, match: (entry) => entry.type === type && entry.actor === 'rare', limits: sparse },
    { filters: { type, actor: 'rare', from, to: late }, match: (entry) => entry.type === type && entry.actor === 'rare' && entry.occurredAt >= from && entry.occurredAt < late, limits: sparse },
    { filters: { from: late }, match: (entry) => entry.occurredAt >= late, limits: dense },
    { filters: { type, from: late }, match: (entry) => entry.type === type && entry.occurredAt >= late, limits: dense },
    { filters: { actor: 'rare', after: entries[entries.length - 200].position }, match: (entry) => entry.actor === 'rare' && entry.position > entries[entries.length - 200].position, limits: dense, exact: true },
  ];
  /** The entries the read's index walks: those in its position range that its equality fields select. */
  const walked = (query: DocumentQuery) => {
    const bound = (op: string, otherwise: number) => (query.conditions.find((condition) => condition.field === 'position' && condition.op === op)?.value as number | undefined) ?? otherwise;
    const [lower, upper] = [bound('gt', -Infinity), bound('lte', Infinity)];
    const keys = query.conditions.filter((condition) => condition.op === 'eq' && query.index?.includes(condition.field) && condition.field !== 'orgId');
    return entries.filter((entry) => entry.position > lower && entry.position <= upper && keys.every(({ field, value }) => entry[field as keyof ScanEntry] === value)).length;
  };
  const expectBounded = async (exact: boolean | undefined) => {
    // Reads with an offset are the walks to where a scan ends (index keys alone); the others are pages.
    for (const query of issued.splice(0).filter((read) => !exact && read.offset === undefined)) {
      const shown = { conditions: query.conditions, index: query.index };
      const count = walked(query);
      expect({ ...shown, walked: count }).toEqual({ ...shown, walked: Math.min(count, AUDIT_PAGE_SCAN) });
      if (plansShowIndexes) expect((await store.explain(query)).detail.join(' / ')).toContain(query.index!.join('_'));
    }
  };
  for (const { filters, match, limits, exact } of cases) {
    const expected = entries.filter(match).map((entry) => entry.position);
    for (const limit of limits) {
      const seen: number[] = [];
      let emptyWithCursor = 0;
      let cursor: string | undefined;
      do {
        const page = await queries.auditLog(orgId, filters, limit, cursor);
        expect(page.items.length).toBeLessThanOrEqual(limit);
        seen.push(...page.items.map((item) => item.position as number));
        if (page.nextCursor) expect(decodeCursor(page.nextCursor, 'number')).toBeGreaterThanOrEqual((page.items.at(-1)?.position as number | undefined) ?? 0);
        if (page.items.length === 0 && page.nextCursor) emptyWithCursor += 1;
        cursor = page.nextCursor;
      } while (cursor);
      await expectBounded(exact);
      expect({ filters, limit, seen }).toEqual({ filters, limit, seen: expected });
      // Matches more than a budget apart: a page comes back empty with a cursor.
      if (limits === sparse) expect(emptyWithCursor).toBeGreaterThan(0);
    }
    let lines = '';
    for await (const chunk of queries.auditExport(orgId, filters)) lines += chunk.toString('utf8');
    expect({ filters, exported: lines.split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { position: number }).position) }).toEqual({ filters, exported: expected });
    await expectBounded(exact);
  }
}
