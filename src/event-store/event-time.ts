import type { RecordedEvent } from './event-store.port';

/** The form toISOString gives, with its fields: stored times are in it already (the envelope writes them so). */
const ISO_FORM = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{3}Z$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** True when toISOString would give `at` back unchanged: in its form, and a day that exists (not 2026-02-30, which a Date moves to March). */
function isCanonical(at: string): boolean {
  const fields = ISO_FORM.exec(at);
  if (!fields) return false;
  const [year, month, day] = [Number(fields[1]), Number(fields[2]), Number(fields[3])];
  const leapDay = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 1 : 0;
  return month >= 1 && month <= 12 && day >= 1 && day <= DAYS_IN_MONTH[month - 1] + leapDay && Number(fields[4]) <= 23 && Number(fields[5]) <= 59 && Number(fields[6]) <= 59;
}

/**
 * occurredAt as one canonical ISO-8601 UTC form, so that time ranges compare as strings. A time
 * already in that form is returned as it is: parsing it into a Date and back was a large share of
 * reading an event (every audit entry, leaf hash and projection takes it).
 */
export const eventTime = (event: RecordedEvent): string => {
  const at = event.metadata.occurredAt;
  return isCanonical(at) ? at : new Date(at).toISOString();
};
