import { InvalidFailedJobsCursor } from './email-queue.port';

/**
 * Where a page of failed jobs ends: its last job's failure time, in ms, and id. The list is ordered
 * by both, most recent first (ids compared byte by byte), so the next page starts past that job
 * whatever is retried, discarded or fails between the two: none is repeated nor skipped.
 */
export interface FailedJobsPosition {
  failedAt: number;
  id: string;
}

/** The cursor naming `position`: `{failedAt}.{id}` in base64url (a word a shell leaves alone). */
export function failedJobsCursor({ failedAt, id }: FailedJobsPosition): string {
  return Buffer.from(`${failedAt}.${id}`).toString('base64url');
}

export function parseFailedJobsCursor(cursor: string): FailedJobsPosition {
  const match = /^(\d{1,15})\.(.+)$/s.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new InvalidFailedJobsCursor(cursor);
  return { failedAt: Number(match[1]), id: match[2] };
}
