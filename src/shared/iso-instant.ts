/**
 * The time `text` names when it is written as Date.toISOString writes it (UTC, to the millisecond,
 * a four-digit year), else NaN. Date reads other forms its own way (one without a zone as the
 * reader's local time, digits past the millisecond dropped): readers in two zones, or with another
 * parser, would read two instants in one signed text. A year past 9999 is refused too: one hour
 * later than the last Date is none (toISOString throws).
 */
export function isoInstant(text: string): number {
  const time = Date.parse(text);
  return !Number.isNaN(time) && /^\d{4}-/.test(text) && new Date(time).toISOString() === text ? time : Number.NaN;
}
