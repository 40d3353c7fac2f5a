import type { RecordedEvent } from './event-store.port';

/** The form toISOString gives, YYYY-MM-DDTHH:MM:SS.mmmZ: its separators by offset, digits (0) elsewhere. */
const ISO_FORM = [...'0000-00-00T00:00:00.000Z'].map((character) => (character === '0' ? 0 : character.charCodeAt(0)));
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * True when toISOString would give `at` back unchanged: in its form, and a day that exists (not
 * 2026-02-30, which a Date moves to March). Read character by character: a regular expression's
 * match built an array and seven strings for every event a projection read the time of.
 */
export function isCanonicalTime(at: string): boolean {
  if (at.length !== ISO_FORM.length) return false;
  for (let i = 0; i < ISO_FORM.length; i += 1) {
    const code = at.charCodeAt(i);
    if (ISO_FORM[i] === 0 ? code < 48 || code > 57 : code !== ISO_FORM[i]) return false;
  }
  const year = digits(at, 0, 4);
  const month = digits(at, 5, 7);
  const day = digits(at, 8, 10);
  const leapDay = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 1 : 0;
  return month >= 1 && month <= 12 && day >= 1 && day <= DAYS_IN_MONTH[month - 1] + leapDay && digits(at, 11, 13) <= 23 && digits(at, 14, 16) <= 59 && digits(at, 17, 19) <= 59;
}

/** The number the digits from `start` to `end` write. */
function digits(text: string, start: number, end: number): number {
  let value = 0;
  for (let i = start; i < end; i += 1) value = value * 10 + text.charCodeAt(i) - 48;
  return value;
}

/**
 * occurredAt as one canonical ISO-8601 UTC form, so that time ranges compare as strings. A time
 * already in that form is returned as it is: parsing it into a Date and back was a large share of
 * reading an event (every audit entry, leaf hash and projection takes it).
 */
export const eventTime = (event: Pick<RecordedEvent, 'metadata'>): string => {
  const at = event.metadata.occurredAt;
  return isCanonicalTime(at) ? at : new Date(at).toISOString();
};
