import { join } from 'node:path';
import { fromThreadError, startThread, type StartedThread, type ThreadError, type ThreadFailure } from '../../shared/worker-thread';
import type { DocumentQuery, DocumentsJson } from '../read-model-store.port';
import { checkAuditQuery } from './event-log-audit-trail';

/** What the trail's thread is started with. */
export interface AuditTrailThreadData {
  eventLogPath: string;
}

/** A page asked of the thread. */
export interface AuditTrailRequest {
  id: number;
  query: DocumentQuery;
  omit: readonly string[];
}

/** The thread's answer to a request: its page, or why it has none. */
export type AuditTrailReply = { kind: 'page'; id: number; page: DocumentsJson } | { kind: 'failed'; id: number; error: ThreadError } | ThreadFailure;

/** How long a stopped thread may take to close its connection before it is terminated. */
const STOP_TIMEOUT_MS = 10_000;

interface Pending {
  resolve(page: DocumentsJson): void;
  reject(error: Error): void;
}

/**
 * The embedded trail's NDJSON pages (EventLogAuditTrail.findJson) written on a worker thread of
 * their own, started at the first page asked for and answering one page at a time: SQLite's
 * writing of a page's lines, most of an export's CPU, no longer holds the API's event loop, and
 * runs beside the socket's writes of the page before it (the export asks for the next page first).
 */
export class AuditTrailThread {
  private thread: StartedThread<AuditTrailRequest> | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  constructor(private readonly eventLogPath: string) {}

  async findJson(query: DocumentQuery, omit: readonly string[]): Promise<DocumentsJson> {
    // Checked here, so that a query's TypeError keeps its class (a thread's error crosses as its name and message).
    checkAuditQuery(query);
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      this.started().send({ id, query, omit });
    });
  }

  async close(): Promise<void> {
    const thread = this.thread;
    this.thread = undefined;
    await thread?.stop(STOP_TIMEOUT_MS);
  }

  private started(): StartedThread<AuditTrailRequest> {
    if (this.thread) return this.thread;
    const data: AuditTrailThreadData = { eventLogPath: this.eventLogPath };
    const thread = startThread<AuditTrailReply, AuditTrailRequest>(join(__dirname, 'audit-trail.worker'), data, {
      onMessage: (reply) => this.settle(reply),
      onError: (error) => this.failAll(error),
    });
    void thread.exited.then((code) => {
      // The next page starts a thread again.
      if (this.thread === thread) this.thread = undefined;
      this.failAll(new Error(`the audit trail's thread ended (exit code ${code})`));
    });
    return (this.thread = thread);
  }

  private settle(reply: AuditTrailReply): void {
    if (reply.kind === 'error') return this.failAll(fromThreadError(reply.error));
    const pending = this.pending.get(reply.id);
    this.pending.delete(reply.id);
    if (reply.kind === 'failed') return pending?.reject(fromThreadError(reply.error));
    // A Buffer crosses as a Uint8Array: the same bytes, viewed as a Buffer again.
    const { ndjson } = reply.page;
    pending?.resolve({ ...reply.page, ndjson: Buffer.from(ndjson.buffer, ndjson.byteOffset, ndjson.byteLength) });
  }

  private failAll(error: Error): void {
    for (const { reject } of this.pending.values()) reject(error);
    this.pending.clear();
  }
}
