/** RFC 3339: a full-date, or a date-time with seconds and an offset (Z or ±hh:mm); no week or ordinal dates, no comma fractions. */
export const RFC3339 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2}))?$/;

/** RFC 3339 date-time with seconds and an offset: an instant, not a day. */
export const RFC3339_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

const PARTS = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|[+-](\d{2}):(\d{2})))?$/;

const isLeap = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Whether RFC 3339 text (one of the forms above) names a real time: a calendar date (no
 * 2020-02-30), hours to 23, minutes and seconds to 59 (no leap second, which Date cannot read),
 * an offset's hours to 23: what the time filters read with Date.parse.
 */
export function isRealTime(text: string): boolean {
  const parts = PARTS.exec(text);
  if (!parts) return false;
  const [year, month, day, hours = 0, minutes = 0, seconds = 0, offsetHours = 0, offsetMinutes = 0] = parts.slice(1).map((part) => Number(part ?? 0));
  const days = month === 2 && isLeap(year) ? 29 : DAYS[month - 1];
  return month >= 1 && month <= 12 && day >= 1 && day <= days && hours <= 23 && minutes <= 59 && seconds <= 59 && offsetHours <= 23 && offsetMinutes <= 59;
}
