import { isoInstant } from '../../shared/iso-instant';

/** What an instant of the log is written as, for the messages that refuse another form. */
export const INSTANT_FORM = 'a time as the log writes it: ISO 8601 in UTC to the millisecond (Date.toISOString)';

/** Whether `value` is an instant as the log records it: isoInstant reads it as a time. */
export const isInstant = (value: unknown): value is string => typeof value === 'string' && !Number.isNaN(isoInstant(value));
