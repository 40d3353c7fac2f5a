import { unreadableAnswer } from './api-client';

/** Upper bound on pages, so a server that always answers a cursor cannot loop the CLI forever. */
const MAX_PAGES = 10_000;

/** Follows nextCursor (API v1 cursor pages) to the last page; returns every item and the first page. */
export async function fetchAllPages<P extends { nextCursor?: string | null }, T>(
  fetchPage: (cursor: string | undefined) => Promise<P>,
  itemsOf: (page: P) => readonly T[] | undefined,
): Promise<{ items: T[]; first: P }> {
  const first = await fetchPage(undefined);
  const items = [...listOf(itemsOf(first))];
  let cursor = first.nextCursor;
  for (let pages = 1; cursor && pages < MAX_PAGES; pages++) {
    const page = await fetchPage(cursor);
    items.push(...listOf(itemsOf(page)));
    cursor = page.nextCursor;
  }
  return { items, first };
}

function listOf<T>(items: readonly T[] | undefined): readonly T[] {
  if (items !== undefined && !Array.isArray(items)) throw unreadableAnswer("a page's items are not a list");
  return items ?? [];
}
