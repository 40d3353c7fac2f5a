import { ProgressReporter, type ProgressOutput } from '../../src/shared/progress-reporter';

const captured = (isTTY: boolean) => {
  const out = { isTTY, text: '', write: (chunk: string) => (out.text += chunk) };
  return out satisfies ProgressOutput & { text: string };
};

describe('progress of long work', () => {
  it('writes plain lines when not a terminal: at the start, every interval, and at the end', () => {
    let now = 0;
    const out = captured(false);
    const progress = new ProgressReporter(out, 'org-status', { total: 1000, unit: 'positions', lineEveryMs: 1000, now: () => now });
    now = 500;
    progress.update(100); // within the interval: no line
    now = 2000;
    progress.update(400);
    now = 2500;
    progress.finish();
    expect(out.text.split('\n')).toEqual([
      'org-status: 0/1000 positions (0%)',
      'org-status: 400/1000 positions (40%), 200 positions/s, about 3s left',
      'org-status: 1000/1000 positions (100%) in 3s',
      '',
    ]);
  });

  it('redraws one line with a bar on a terminal', () => {
    let now = 0;
    const out = captured(true);
    const progress = new ProgressReporter(out, 'backup', { total: 200, unit: 'bytes', now: () => now });
    now = 1000;
    progress.update(50);
    progress.finish();
    expect(out.text).toBe(
      '\r\x1b[2Kbackup [------------------------] 0/200 bytes (0%)' +
        '\r\x1b[2Kbackup [######------------------] 50/200 bytes (25%), 50 bytes/s, about 3s left' +
        '\r\x1b[2Kbackup: 200/200 bytes (100%) in 1s\n',
    );
  });
  it('starts with a plain 0% line even when the clock ticks while it is made', () => {
    let now = 0;
    const out = captured(false);
    new ProgressReporter(out, 'backup', { total: 10, unit: 'bytes', lineEveryMs: 0, now: () => (now += 3) });
    expect(out.text).toBe('backup: 0/10 bytes (0%)\n');
  });
});
