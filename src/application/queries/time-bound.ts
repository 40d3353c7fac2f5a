/**
 * The last millisecond Date writes with a four-digit year. The log's times compare as text, and
 * a later one (+010000-01-01T…) would sort before every one of them.
 */
const LAST_FOUR_DIGIT_YEAR = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * A time filter's bound, from RFC 3339 text whose fraction may run to nanoseconds. Date keeps
 * milliseconds and drops the digits after them, and events are timed to the millisecond: the
 * dropped digits still decide which events fall on which side of the bound.
 */
export class TimeBound {
  /** Milliseconds since the epoch, as Date reads them, and the nanoseconds after those. */
  private constructor(
    private readonly milliseconds: number,
    private readonly nanoseconds: number,
  ) {}

  /** Text the query validation accepted (RFC 3339), so Date parses it. */
  static parse(text: string): TimeBound {
    const beyondMilliseconds = /T\d{2}:\d{2}:\d{2}\.\d{3}(\d{1,6})/.exec(text)?.[1] ?? '';
    return new TimeBound(Date.parse(text), Number(beyondMilliseconds.padEnd(6, '0') || '0'));
  }

  isBefore(other: TimeBound): boolean {
    return this.milliseconds < other.milliseconds || (this.milliseconds === other.milliseconds && this.nanoseconds < other.nanoseconds);
  }

  /**
   * The first millisecond at or after the bound, as the log writes times: an event timed t is at
   * or after the bound, and before it, exactly when it is so against this millisecond. A bound
   * past year 9999 (a tool's "no end", 9999-12-31T23:59:59.9999Z) is past every event, timed by
   * the clock, as that year's last millisecond is.
   */
  firstMillisecond(): string {
    return new Date(Math.min(this.milliseconds + (this.nanoseconds > 0 ? 1 : 0), LAST_FOUR_DIGIT_YEAR)).toISOString();
  }
}
