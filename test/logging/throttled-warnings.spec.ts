import { throttledWarnings } from '../../src/logging/throttled-warnings';

describe('throttled warnings', () => {
  it('logs the first fault, then one per doubling step with the count held back, and starts over after a quiet minute', () => {
    const lines: string[] = [];
    let now = 0;
    const warn = throttledWarnings({ warn: (line: string) => lines.push(line) }, 'email queue', () => now);
    // Ten faults a second for 20 s, as ioredis reconnecting to a closed port gives.
    for (; now < 20_000; now += 100) warn(new Error('connect ECONNREFUSED'));
    // Steps of 1, 2, 4, 8 s: logged at 0, 1, 3, 7, 15 s.
    expect(lines).toHaveLength(5);
    expect(lines[0]).toBe('email queue: Error: connect ECONNREFUSED');
    expect(lines[1]).toBe('email queue: Error: connect ECONNREFUSED (9 more since the last warning)');

    now += 61_000;
    warn(new Error('connect ECONNREFUSED'));
    expect(lines).toHaveLength(6);
  });
});
