import type { ReadModelDocument } from '../../../projections/document-change';

/** What the org totals must be: the agent documents of the org there are, counted by key status (none without one). */
export function countedByKeyStatus(documents: ReadonlyArray<{ document: ReadModelDocument }>, orgId: string): Record<string, number> {
  const counted: Record<string, number> = {};
  for (const { document } of documents) {
    const status = document.keyStatus;
    if (document.orgId === orgId && status !== null && status !== undefined) counted[String(status)] = (counted[String(status)] ?? 0) + 1;
  }
  return counted;
}
