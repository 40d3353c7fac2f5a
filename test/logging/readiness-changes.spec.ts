import { readinessChanges } from '../../src/logging/readiness-changes';

describe('readiness changes', () => {
  const lines: string[] = [];
  const logger = { warn: (message: string) => lines.push(`warn ${message}`), log: (message: string) => lines.push(`log ${message}`) };
  beforeEach(() => (lines.length = 0));

  it('logs nothing while ready, one warning when a check goes down, nothing at the probes after, a line when ready again', () => {
    const change = readinessChanges(logger);
    change([]);
    change([{ name: 'emailQueue', reason: 'does not answer' }]);
    change([{ name: 'emailQueue', reason: 'does not answer' }]);
    // The reason alone changing is the same outage.
    change([{ name: 'emailQueue', reason: 'connect ECONNREFUSED' }]);
    change([]);
    change([]);
    expect(lines).toEqual(['warn not ready: emailQueue (does not answer) down', 'log ready again: emailQueue up']);
  });

  it('says "ready" rather than "ready again" when the process was not ready from its start (read models catching up)', () => {
    const change = readinessChanges(logger);
    change([{ name: 'readModels', reason: 'catching up with the log up to position 9: org-status at 2 (7 events behind)' }]);
    change([{ name: 'readModels', reason: 'catching up with the log up to position 9: org-status at 5 (4 events behind)' }]);
    change([]);
    change([{ name: 'eventStore', reason: 'disk full' }]);
    change([]);
    expect(lines).toEqual([
      'warn not ready: readModels (catching up with the log up to position 9: org-status at 2 (7 events behind)) down',
      'log ready: readModels up',
      'warn not ready: eventStore (disk full) down',
      'log ready again: eventStore up',
    ]);
  });

  it('logs again when another check goes down or comes back while not ready', () => {
    const change = readinessChanges(logger);
    change([{ name: 'emailQueue', reason: 'does not answer' }]);
    change([
      { name: 'eventStore', reason: 'disk full' },
      { name: 'emailQueue', reason: 'does not answer' },
    ]);
    change([{ name: 'eventStore', reason: 'disk full' }]);
    expect(lines).toEqual([
      'warn not ready: emailQueue (does not answer) down',
      'warn not ready: eventStore (disk full), emailQueue (does not answer) down',
      'warn not ready: eventStore (disk full) down',
    ]);
  });
});
