import { MAX_ANSWER_BYTES, unreadableAnswer } from './api-client';

/** Upper bound on pages: a server that answers a new cursor each time cannot loop the CLI for ever. */
const MAX_PAGES = 10_000;

/**
 * Follows nextCursor (API v1 cursor pages) to the last page; returns every item and the first page.
 * A list is read whole or not at all: a cursor answered before (a loop), more than MAX_PAGES pages,
 * or pages together larger than one answer may be (MAX_ANSWER_BYTES, as every page is held until
 * the last) is an unreadable answer (exit 4), never a part shown as the whole list.
 */
export async function fetchAllPages<P extends { nextCursor?: string | null }, T>(
  fetchPage: (cursor: string | undefined) => Promise<P>,
  itemsOf: (page: P) => readonly T[] | undefined,
): Promise<{ items: T[]; first: P }> {
  const first = await fetchPage(undefined);
  const items = [...listOf(itemsOf(first))];
  let bytes = JSON.stringify(items).length;
  const seen = new Set<string>();
  for (let cursor = first.nextCursor, pages = 1; cursor; pages++) {
    if (seen.has(cursor)) throw unreadableAnswer(`a page answered a cursor it answered before (${JSON.stringify(cursor)}): its pages would never end`);
    if (pages >= MAX_PAGES) throw unreadableAnswer(`its list has more than ${MAX_PAGES} pages: not read further`);
    seen.add(cursor);
    const page = await fetchPage(cursor);
    const more = listOf(itemsOf(page));
    bytes += JSON.stringify(more).length;
    if (bytes > MAX_ANSWER_BYTES) throw unreadableAnswer(`its pages together are larger than ${MAX_ANSWER_BYTES / 1024 / 1024} MiB: not read further`);
    items.push(...more);
    cursor = page.nextCursor;
  }
  return { items, first };
}

function listOf<T>(items: readonly T[] | undefined): readonly T[] {
  if (items !== undefined && !Array.isArray(items)) throw unreadableAnswer("a page's items are not a list");
  return items ?? [];
}
