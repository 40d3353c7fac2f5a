import { z } from 'zod';

/** An instant as the log records it: ISO 8601 in UTC (Date.prototype.toISOString). Text that is no instant would compare as NaN, never before nor after anything. */
export const instantSchema = z.iso.datetime();
