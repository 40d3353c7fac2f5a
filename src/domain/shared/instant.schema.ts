import { z } from 'zod';
import { INSTANT_FORM, isInstant } from './instant';

/**
 * An instant as the log records it: ISO 8601 in UTC to the millisecond (Date.prototype.toISOString).
 * Any other form is a fault of the event that holds it, refused where events are decoded: Date
 * reads a time without a zone as the reader's local time, so verifiers in two zones would read
 * two instants in one signed log.
 */
export const instantSchema = z.string().refine(isInstant, { message: `Invalid input: expected ${INSTANT_FORM}` });

