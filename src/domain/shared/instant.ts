import { z } from 'zod';
import { isoInstant } from '../../shared/iso-instant';

/** What an instant of the log is written as, for the messages that refuse another form. */
export const INSTANT_FORM = 'a time as the log writes it: ISO 8601 in UTC to the millisecond (Date.toISOString)';

/** Whether `value` is an instant as the log records it: isoInstant reads it as a time. */
export const isInstant = (value: unknown): value is string => typeof value === 'string' && !Number.isNaN(isoInstant(value));

/**
 * An instant as the log records it: ISO 8601 in UTC to the millisecond (Date.prototype.toISOString).
 * Any other form is a fault of the event that holds it, refused where events are decoded: Date
 * reads a time without a zone as the reader's local time, so verifiers in two zones would read
 * two instants in one signed log.
 */
export const instantSchema = z.string().refine(isInstant, { message: `Invalid input: expected ${INSTANT_FORM}` });

