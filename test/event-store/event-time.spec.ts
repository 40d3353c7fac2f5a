import fc from 'fast-check';
import { eventTime } from '../../src/event-store/event-time';
import type { RecordedEvent } from '../../src/event-store/event-store.port';

const at = (occurredAt: string) => eventTime({ metadata: { occurredAt } } as RecordedEvent);
/** What eventTime always meant: the time parsed and written back by a Date. */
const throughDate = (occurredAt: string) => new Date(occurredAt).toISOString();
const pad = (value: number, width: number) => String(value).padStart(width, '0');

describe('eventTime', () => {
  it('gives what a Date would give back, for times in the ISO form whether or not their day exists (property)', () => {
    const shaped = fc
      .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 24 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 999 }))
      .map(([y, mo, d, h, mi, s, ms]) => `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}.${pad(ms, 3)}Z`);
    fc.assert(
      fc.property(shaped, (occurredAt) => {
        let expected: string | Error;
        try {
          expected = throughDate(occurredAt);
        } catch (error) {
          expected = error as Error;
        }
        if (expected instanceof Error) expect(() => at(occurredAt)).toThrow(RangeError);
        else expect(at(occurredAt)).toBe(expected);
      }),
      { numRuns: 5000 },
    );
  });

  it('writes other forms of the same instant canonically', () => {
    expect(at('2026-02-28T23:00:00.000Z')).toBe('2026-02-28T23:00:00.000Z');
    expect(at('2024-02-29T00:00:00.000Z')).toBe('2024-02-29T00:00:00.000Z');
    expect(at('2026-02-29T00:00:00.000Z')).toBe('2026-03-01T00:00:00.000Z');
    expect(at('2026-01-01T24:00:00.000Z')).toBe('2026-01-02T00:00:00.000Z');
    expect(at('2026-01-01T01:00:00+01:00')).toBe('2026-01-01T00:00:00.000Z');
    expect(at('2026-01-01T00:00:00Z')).toBe('2026-01-01T00:00:00.000Z');
  });
});
