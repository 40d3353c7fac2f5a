/** Where progress goes: a terminal gets one line redrawn in place, anything else plain lines. */
export interface ProgressOutput {
  isTTY?: boolean;
  write(text: string): unknown;
}

export interface ProgressOptions {
  /** Total amount of work, in `unit`s. */
  total: number;
  unit: string;
  /** How often a plain (non-terminal) line is written while work goes on; a terminal redraws at most every 100 ms. */
  lineEveryMs?: number;
  now?: () => number;
}

const TTY_REDRAW_MS = 100;
const BAR_WIDTH = 24;

const formatDuration = (ms: number): string => {
  const seconds = Math.round(ms / 1000);
  return seconds < 60 ? `${seconds}s` : seconds < 3600 ? `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s` : `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
};

/**
 * Progress of long work (a rebuild, a backup): done/total, percentage, rate and remaining time.
 * On a terminal a bar redrawn in place; otherwise (logs, CI, pipes) a plain line at the start,
 * every `lineEveryMs`, and at the end.
 */
export class ProgressReporter {
  private readonly now: () => number;
  private readonly started: number;
  private lastShown = -Infinity;
  private done = 0;

  constructor(
    private readonly output: ProgressOutput,
    private readonly label: string,
    private readonly options: ProgressOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.started = this.now();
    this.show(true);
  }

  /** `done` units of the total are done (an absolute count, not an increment). */
  update(done: number): void {
    this.done = Math.min(done, this.options.total);
    this.show(false);
  }

  /** The work ended: a last line with the time it took. */
  finish(): void {
    this.done = this.options.total;
    const line = `${this.label}: ${this.counts()} in ${formatDuration(this.now() - this.started)}`;
    this.output.write(this.output.isTTY ? `\r\x1b[2K${line}\n` : `${line}\n`);
  }

  private show(first: boolean): void {
    // The first line is the start itself: a clock tick in between would print a rate of nothing done.
    const at = first ? this.started : this.now();
    const every = this.output.isTTY ? TTY_REDRAW_MS : (this.options.lineEveryMs ?? 5000);
    if (!first && at - this.lastShown < every) return;
    this.lastShown = at;
    const elapsed = at - this.started;
    const rate = elapsed > 0 ? (this.done * 1000) / elapsed : 0;
    const left = this.options.total - this.done;
    const eta = this.done > 0 && rate > 0 ? `, about ${formatDuration((left / rate) * 1000)} left` : '';
    const speed = elapsed > 0 ? `, ${Math.round(rate)} ${this.options.unit}/s` : '';
    if (!this.output.isTTY) {
      this.output.write(`${this.label}: ${this.counts()}${speed}${eta}\n`);
      return;
    }
    const filled = Math.round(this.fraction() * BAR_WIDTH);
    this.output.write(`\r\x1b[2K${this.label} [${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${this.counts()}${speed}${eta}`);
  }

  private fraction(): number {
    return this.options.total > 0 ? this.done / this.options.total : 1;
  }

  private counts(): string {
    return `${this.done}/${this.options.total} ${this.options.unit} (${Math.floor(this.fraction() * 100)}%)`;
  }
}
