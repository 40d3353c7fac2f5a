import Database from 'better-sqlite3';
import { auditEntry } from '../../transparency/audit-entry';
import { changeVersion, type ReadModelDocument } from '../../../projections/document-change';
import { decode } from '../../domain/events/decode';
import { AUDIT_FIELDS, hasAsStored, type AuditField } from '../../event-store/sqlite/sqlite-event-log';
import { EVENT_COLUMNS, fromRawRow, type RawEventRow } from '../../event-store/sqlite/sqlite-event-store';
import { safeNumber } from '../../shared/safe-number';
import { documentsJson } from '../documents-json';
import { auditLineSql } from './audit-entry-json';
import { BUSY_TIMEOUT_MS, boundPageCache } from '../../shared/sqlite-file';
import { checkQueryField, indexName } from '../read-model-schema';
import type { CountQuery, DocumentQuery, DocumentsJson, QueryPlan, QueryValue } from '../read-model-store.port';
import { planIsIndexed } from './plan-is-indexed';
import { limitSql, orderSql, queryConditionsSql } from './query-conditions-sql';

/**
 * The audit trail answered by the embedded event log's own table, on a read-only connection of
 * its own: the entries are what the audit-log projection would have stored (auditEntry of each
 * decoded event), selected and ordered through the log's audit indexes (sqlite-event-log.ts).
 * No copy is written, and it is never behind the log.
 */
export class EventLogAuditTrail {
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  /** The table's own `as_stored` column, or (a log created before it) its expression a row. */
  private readonly asStoredColumn: boolean;

  constructor(readonly path: string) {
    this.db = new Database(path, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
    this.db.defaultSafeIntegers(true);
    boundPageCache(this.db);
    this.asStoredColumn = hasAsStored(this.db);
  }

  find(query: DocumentQuery): ReadModelDocument[] {
    return this.rows(query).map(entry);
  }

  /**
   * The entries as NDJSON, a page's lines written by SQLite (auditLineSql) into one Buffer. A page
   * holding a row it does not write (an older schema version once an upcaster exists, data that is
   * not an object, a time eventTime rewrites: the row's `as_stored`) is answered from its decoded entries instead.
   * group_concat takes the rows as the page's subquery yields them, in its order (the index's; a
   * co-routine in SQLite's plan, the spec checks the order), so the last orderBy value is the
   * page's max (its min when descending). An ORDER BY in group_concat would sort the lines again: a third more CPU a line.
   */
  findJson(query: DocumentQuery, omit: readonly string[]): DocumentsJson {
    const select = selectSql(query);
    if (!select) return { ndjson: Buffer.alloc(0), count: 0, last: undefined };
    const page = `SELECT ${columnOf(query.orderBy)} AS at, ${auditLineSql(omit, this.asStoredColumn)} AS line FROM ${select.from} WHERE ${select.sql}`;
    const sql = `SELECT CAST(group_concat(line, '') AS BLOB), count(*), count(line), ${query.descending ? 'min' : 'max'}(at) FROM (${page})`;
    const [ndjson, count, written, last] = this.statement(sql).raw().get(...select.bindings) as [Buffer | null, bigint, bigint, QueryValue | bigint | null];
    if (written < count) return documentsJson(this.find(query), query.orderBy, omit);
    return { ndjson: ndjson ?? Buffer.alloc(0), count: Number(count), last: typeof last === 'bigint' ? safeNumber(last) : (last ?? undefined) };
  }

  /** The event's entry, through the table's unique index of event ids. */
  findById(eventId: string): ReadModelDocument | undefined {
    const row = this.statement(`SELECT ${EVENT_COLUMNS} FROM events WHERE id = ?`).raw().get(eventId) as RawEventRow | undefined;
    return row && entry(row);
  }

  /** Counted in the audit index serving the conditions (a covering range of its keys, no row read). */
  count(query: CountQuery): number {
    const where = queryConditionsSql(query.conditions, columnOf);
    if (!where) return 0;
    return safeNumber(this.statement(`SELECT count(*) FROM events WHERE ${where.sql}`).pluck().get(...where.bindings) as bigint);
  }

  explain(query: DocumentQuery): QueryPlan {
    const select = selectSql(query);
    if (!select) return { indexed: true, detail: ['nothing to read: an empty `in`'] };
    const detail = (this.db.prepare(`EXPLAIN QUERY PLAN SELECT ${EVENT_COLUMNS} FROM ${select.from} WHERE ${select.sql}`).all(...select.bindings) as Array<{ detail: string }>).map(
      (row) => row.detail,
    );
    return { indexed: planIsIndexed(detail, query), detail };
  }

  /** Every entry by event id, with the version the projection's insert would have given it. */
  dump(): Array<{ id: string; version: string; document: ReadModelDocument }> {
    return (this.statement(`SELECT ${EVENT_COLUMNS} FROM events ORDER BY id`).raw().all() as RawEventRow[]).map((row) => ({
      id: row[1],
      version: changeVersion(row[0], 0),
      document: entry(row),
    }));
  }

  /** The last event of the log, undefined while it is empty: the trail always stands there. */
  head(): { position: bigint; eventId: string } | undefined {
    const row = this.statement('SELECT position, id FROM events ORDER BY position DESC LIMIT 1').get() as { position: bigint; id: string } | undefined;
    return row && { position: row.position, eventId: row.id };
  }

  close(): void {
    this.db.close();
  }

  /** As arrays: a page builds each entry once, not a row object first. */
  private rows(query: DocumentQuery): RawEventRow[] {
    const select = selectSql(query);
    if (!select) return [];
    return this.statement(`SELECT ${EVENT_COLUMNS} FROM ${select.from} WHERE ${select.sql}`).raw().all(...select.bindings) as RawEventRow[];
  }

  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) this.statements.set(sql, (statement = this.db.prepare(sql)));
    return statement;
  }
}

const entry = (row: RawEventRow): ReadModelDocument => auditEntry(decode(fromRawRow(row))) as ReadModelDocument;

/** The query's conditions and order over the events table; undefined when an empty `in` selects nothing. */
function selectSql(query: DocumentQuery): { from: string; sql: string; bindings: QueryValue[] } | undefined {
  const where = queryConditionsSql(query.conditions, columnOf);
  if (!where) return undefined;
  const limit = limitSql(query);
  // The log's audit indexes are the audit_log model's (sqlite-event-log.ts), named after the same fields.
  const from = query.index ? `events INDEXED BY "events_audit_${indexName('audit_log', query.index)}"` : 'events';
  return { from, sql: `${where.sql} ${orderSql(columnOf(query.orderBy), query)}${limit.sql}`, bindings: [...where.bindings, ...limit.bindings] };
}

function columnOf(field: string): string {
  checkQueryField('audit_log', field);
  if (!(field in AUDIT_FIELDS)) throw new TypeError(`audit_log has no field ${JSON.stringify(field)} in the events table`);
  return AUDIT_FIELDS[field as AuditField];
}
