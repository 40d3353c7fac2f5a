import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** How many nice levels below its process a background thread runs (CFS: 10 levels is about a tenth of the CPU when both want it). */
export const BACKGROUND_NICENESS = 10;

/** The highest nice value (the lowest priority) Linux has. */
const LOWEST_PRIORITY = 19;

/**
 * Lowers the calling thread's CPU priority below its process's: when every core is busy, the
 * API's event loop runs first and the background work of the thread (a check of the whole log,
 * an index build) takes what it leaves; on idle cores it runs as fast as before. Linux gives each
 * thread a priority of its own, by the id /proc/thread-self names; elsewhere, or where the system
 * refuses, the thread keeps its process's.
 */
export function runInBackground(): void {
  try {
    const threadId = Number(readlinkSync('/proc/thread-self').split('/').pop());
    // Relative to what the thread was started with, so a process an operator already `nice`d keeps its threads' order.
    const niceness = Math.min(LOWEST_PRIORITY, getPriority(threadId) + BACKGROUND_NICENESS);
    setPriority(threadId, niceness);
  } catch {
    // No /proc, or a sandbox that refuses setpriority: the work still runs, at the process's priority.
  }
}
