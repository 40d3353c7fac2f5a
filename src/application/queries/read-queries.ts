import { setImmediate } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import type { ReadModelDocument } from '../../../projections/document-change';
import { KEY_STATUSES } from '../../../projections/org-status.projection';
import type { ReadModelName } from '../../../projections/projection';
import { READ_MODEL_STORE, type Condition, type DocumentQuery, type ReadModelStore } from '../../read-models/read-model-store.port';
import { ReadModelProgress } from '../../read-models/read-model-progress';
import { decodeCursor, encodeCursor } from './cursor';
import { InvalidQuery } from './invalid-query';
import { TimeBound } from './time-bound';

export interface Page<T = ReadModelDocument> {
  items: T[];
  /** Pass it back as `cursor` for the next page; absent on the last page. */
  nextCursor?: string;
}

export interface StatusFilters {
  role?: string;
  keyStatus?: string;
}

export interface AuditFilters {
  from?: string;
  to?: string;
  type?: string;
  actor?: string;
  subject?: string;
  /** Only entries past this position: a reader's resume point, unlike the cursor not tied to a page. */
  after?: number;
}

/** A page's conditions, up to the position where its scan ends (inclusive), and the index it scans. */
const scanned = (conditions: Condition[], scan: { index: string[]; end: number | undefined } | undefined): Pick<DocumentQuery, 'conditions' | 'index'> =>
  scan === undefined ? { conditions } : { conditions: scan.end === undefined ? conditions : [...conditions, { field: 'position', op: 'lte', value: scan.end }], index: scan.index };

/** Fields of stored documents that are the store's business, not the API's. */
const strip = ({ orgId: _orgId, ...document }: ReadModelDocument): ReadModelDocument => document;
/** The same fields, left out of the export's JSON by the store (findJson). */
const STORE_FIELDS = ['orgId'];
const EXPORT_PAGE = 1000;
/**
 * Entries of the org's log an audit-log page (or a page of the export) examines at most, as
 * CloudTrail's LookupEvents does: filters that no one index serves together (two of type, actor,
 * subject; a time range) would otherwise walk one filter's index until the page fills, on the API's
 * thread with the embedded store. A page whose budget ran out answers the matches it found (maybe
 * none) and a cursor where the scan stopped.
 */
export const AUDIT_PAGE_SCAN = 1000;
/**
 * Bytes of NDJSON a chunk of the export holds at most: views of a page's Buffer (~1 MB, outside
 * V8's heap, freed with its last view), so a chunk a stream write and the socket takes a page in
 * pieces. A line a chunk cost a stream write each; a page's string (as chunks were before) lands in
 * V8's large-object space, freed only by a full GC.
 */
const EXPORT_CHUNK = 64 * 1024;

const activeKeySummary = (key: { fingerprint: string; approvedBy: string | null; approvedAt: string } | null) => ({
  fingerprint: key?.fingerprint ?? null,
  approvedBy: key?.approvedBy ?? null,
  approvedAt: key?.approvedAt ?? null,
});

/**
 * The read side's queries (pending keys, zero-trust status, audit log), over the read-model port.
 * Every condition is on the caller's org; filter values are plain strings or numbers, so nothing
 * a caller sends can become a store operator.
 */
@Injectable()
export class ReadQueries {
  private readonly progress: ReadModelProgress;

  constructor(@Inject(READ_MODEL_STORE) private readonly store: ReadModelStore) {
    this.progress = new ReadModelProgress(store);
  }

  /** Read your writes: true once `model` has applied `position`, false when `timeoutMs` ran out. */
  reached(model: ReadModelName, position: bigint, timeoutMs: number): Promise<boolean> {
    return this.progress.waitForPosition(model, position, timeoutMs);
  }

  /** Up to `limit` PENDING requests of the org as the read model holds them, oldest first, after log position `after`. */
  async pendingKeys(orgId: string, after: number | undefined, limit: number): Promise<ReadModelDocument[]> {
    const conditions: Condition[] = [{ field: 'orgId', op: 'eq', value: orgId }];
    if (after !== undefined) conditions.push({ field: 'requestedPosition', op: 'gt', value: after });
    return (await this.store.find({ collection: 'pending_keys', conditions, orderBy: 'requestedPosition', limit })).map(strip);
  }

  /**
   * R20 M-of-N: the approvals the pending-keys model holds of these requests of the org, and the
   * org-status documents of these agents: one query each, whole (orgId too), for the pending list
   * to bring them up to the log's tail.
   */
  async keyApprovals(orgId: string, requestIds: readonly string[]): Promise<ReadModelDocument[]> {
    if (requestIds.length === 0) return [];
    const conditions: Condition[] = [{ field: 'orgId', op: 'eq', value: orgId }, { field: 'requestId', op: 'in', value: requestIds }];
    return this.store.find({ collection: 'key_approvals', conditions, orderBy: 'requestId' });
  }

  async agentStatuses(orgId: string, agentIds: readonly string[]): Promise<ReadModelDocument[]> {
    if (agentIds.length === 0) return [];
    const conditions: Condition[] = [{ field: 'orgId', op: 'eq', value: orgId }, { field: 'agentId', op: 'in', value: agentIds }];
    return this.store.find({ collection: 'agent_status', conditions, orderBy: 'agentId' });
  }

  /** Position of the last event `model` applied, undefined before any. */
  checkpoint(model: ReadModelName): Promise<bigint | undefined> {
    return this.store.checkpoint(model);
  }

  async zeroTrustStatus(orgId: string, filters: StatusFilters, limit: number, cursor?: string) {
    const after = decodeCursor(cursor, 'string');
    const conditions: Condition[] = [{ field: 'orgId', op: 'eq', value: orgId }];
    if (filters.role) conditions.push({ field: 'role', op: 'eq', value: filters.role });
    if (filters.keyStatus) conditions.push({ field: 'keyStatus', op: 'eq', value: filters.keyStatus });
    if (after !== undefined) conditions.push({ field: 'agentId', op: 'gt', value: after });
    const [found, byStatus] = await Promise.all([
      this.store.find({ collection: 'agent_status', conditions, orderBy: 'agentId', limit: limit + 1 }),
      // Org-wide, whatever the filters: the counts the org-status projection keeps per org.
      this.store.counts({ collection: 'agent_status', group: orgId }),
    ]);
    const page = this.page(found, limit, (last) => last.agentId as string);
    const browsers = page.items.length
      ? await this.store.find({
          collection: 'agent_browsers',
          conditions: [
            { field: 'orgId', op: 'eq', value: orgId },
            { field: 'agentId', op: 'in', value: page.items.map((agent) => agent.agentId as string) },
          ],
          orderBy: 'agentId',
        })
      : [];
    // The page's documents are this call's own copies: completed in place. Spreading each into a
    // new object built a dictionary-mode copy, ~3 KB of garbage an agent (p99 3.5-5.2 -> 0.5-0.9 ms).
    const agents = page.items.map((agent) =>
      Object.assign(
        agent,
        // What PRODUCT.md names per agent, at the top level; the full ACTIVE key stays in activeKey.
        activeKeySummary(agent.activeKey as { fingerprint: string; approvedBy: string | null; approvedAt: string } | null),
        {
          promptFrequencies: Object.fromEntries(
            browsers.filter((browser) => browser.agentId === agent.agentId).map((browser) => [browser.browserId, browser.promptFrequency]),
          ),
        },
      ),
    );
    const count = (status: string) => byStatus.get(status) ?? 0;
    const totals = {
      agents: KEY_STATUSES.reduce((sum, status) => sum + count(status), 0),
      withActiveKey: count('ACTIVE'),
      pending: count('PENDING'),
      none: count('NONE'),
      byKeyStatus: Object.fromEntries(KEY_STATUSES.map((status) => [status, count(status)])),
    };
    return { agents, totals, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  }

  /** A page of the (filtered) audit log; shorter than `limit`, even empty, with a cursor when its scan budget ran out. */
  async auditLog(orgId: string, filters: AuditFilters, limit: number, cursor?: string): Promise<Page> {
    const conditions = this.auditConditions(orgId, filters, decodeCursor(cursor, 'number'));
    const scan = await this.auditScan(conditions);
    const found = await this.store.find({ collection: 'audit_log', ...scanned(conditions, scan), orderBy: 'position', limit: limit + 1 });
    if (found.length <= limit && scan?.end !== undefined) return { items: found.map(strip), nextCursor: encodeCursor(scan.end) };
    return this.page(found, limit, (last) => last.position as number);
  }

  /**
   * The whole (filtered) audit log as NDJSON in chunks of at most EXPORT_CHUNK bytes, read a
   * page of EXPORT_PAGE entries at a time: the consumer asks for the next chunk when it has taken
   * the last, so memory stays constant however long the log. The filters are checked here, before
   * the first line, so a bad one is a 400 rather than a stream broken after its headers.
   */
  auditExport(orgId: string, filters: AuditFilters): AsyncIterable<Buffer> {
    this.auditConditions(orgId, filters, undefined);
    return this.auditChunks(orgId, filters);
  }

  private async *auditChunks(orgId: string, filters: AuditFilters): AsyncIterable<Buffer> {
    const page = async (after: number | undefined) => {
      const conditions = this.auditConditions(orgId, filters, after);
      const scan = await this.auditScan(conditions);
      const found = await this.store.findJson({ collection: 'audit_log', ...scanned(conditions, scan), orderBy: 'position', limit: EXPORT_PAGE }, STORE_FIELDS);
      // After a full page's last line, or where its scan budget ran out; undefined at the end.
      return { ndjson: found.ndjson, resume: found.count === EXPORT_PAGE ? (found.last as number) : scan?.end };
    };
    for (let found = await page(undefined); ; ) {
      // The next page is asked for before this one is written out, so a store on the network
      // (MongoDB) reads it meanwhile: two pages at most in memory.
      const next = found.resume === undefined ? undefined : page(found.resume);
      next?.catch(() => undefined); // a consumer gone before it is awaited leaves no unhandled rejection
      // Views of the page's bytes, not copies: a chunk a stream write, the next when the socket has taken it.
      for (let at = 0; at < found.ndjson.length; at += EXPORT_CHUNK) yield found.ndjson.subarray(at, at + EXPORT_CHUNK);
      if (!next) break;
      // A store that answers at once (SQLite on this thread) and a socket that takes every write
      // would run the whole export before any other request: each page waits its turn.
      await setImmediate();
      found = await next;
    }
  }

  private auditConditions(orgId: string, filters: AuditFilters, after: number | undefined): Condition[] {
    const from = filters.from === undefined ? undefined : TimeBound.parse(filters.from);
    const to = filters.to === undefined ? undefined : TimeBound.parse(filters.to);
    if (from && to && !from.isBefore(to)) throw new InvalidQuery('INVALID_TIME_RANGE', '`from` must be earlier than `to`.');
    const conditions: Condition[] = [{ field: 'orgId', op: 'eq', value: orgId }];
    if (filters.type) conditions.push({ field: 'type', op: 'eq', value: filters.type });
    if (filters.actor) conditions.push({ field: 'actor', op: 'eq', value: filters.actor });
    if (filters.subject) conditions.push({ field: 'subject', op: 'eq', value: filters.subject });
    if (from) conditions.push({ field: 'occurredAt', op: 'gte', value: from.firstMillisecond() });
    if (to) conditions.push({ field: 'occurredAt', op: 'lt', value: to.firstMillisecond() });
    // One range on position, the tighter of the cursor's and the caller's, so the audit indexes serve it as a page alone.
    const lower = after === undefined ? filters.after : filters.after === undefined ? after : Math.max(after, filters.after);
    if (lower !== undefined) conditions.push({ field: 'position', op: 'gt', value: lower });
    return conditions;
  }

  /**
   * How a page of these conditions scans: undefined when one index serves them exactly (a page
   * reads only what it returns). Otherwise the index the page must walk and the last position it
   * may reach, so that it examines at most AUDIT_PAGE_SCAN entries: each filter's index (the org's
   * with a time range alone) is walked that far past the page's start, keys alone, and the one
   * that gets furthest, the rarest there, is chosen; no end when it holds fewer to the log's end.
   */
  private async auditScan(conditions: readonly Condition[]): Promise<{ index: string[]; end: number | undefined } | undefined> {
    const [org] = conditions;
    const keys = conditions.filter((condition) => condition.op === 'eq' && condition !== org);
    if (keys.length <= 1 && !conditions.some((condition) => condition.field === 'occurredAt')) return undefined;
    const start = conditions.filter((condition) => condition.field === 'position');
    const walks = (keys.length > 0 ? keys.map((key) => [key]) : [[]]).map(async (key) => {
      const index = ['orgId', ...key.map(({ field }) => field), 'position'];
      const [end] = await this.store.find({ collection: 'audit_log', conditions: [org, ...key, ...start], orderBy: 'position', index, limit: 1, offset: AUDIT_PAGE_SCAN - 1 });
      return { index, end: end?.position as number | undefined };
    });
    return (await Promise.all(walks)).reduce((best, walk) => (best.end === undefined || (walk.end !== undefined && walk.end <= best.end) ? best : walk));
  }

  private page(found: ReadModelDocument[], limit: number, key: (last: ReadModelDocument) => string | number): Page {
    const items = found.slice(0, limit);
    return {
      items: items.map(strip),
      ...(found.length > limit ? { nextCursor: encodeCursor(key(items[items.length - 1])) } : {}),
    };
  }
}
