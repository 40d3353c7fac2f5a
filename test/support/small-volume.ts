import { execFileSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A tmpfs of `size` (as mount takes it: 3m): a real volume to fill (we run as root here); undefined where mounting is not permitted. */
export function mountSmallVolume(size: string): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'ztkeys-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
}

export function unmountSmallVolume(dir: string): void {
  execFileSync('umount', [dir]);
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Takes every free byte of the volume but `leave` (whole pages of 4096 bytes); returns the
 * ballast's path. A write larger than what is left is then cut short: write(2) writes what fits.
 */
export function fillVolume(dir: string, leave = 0): string {
  const path = join(dir, 'ballast');
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(4096, 1);
  let size = 0;
  try {
    for (;;) size += writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
    ftruncateSync(fd, size - leave);
  } finally {
    closeSync(fd);
  }
  return path;
}

/**
 * On a filled volume, writes into WAL space already allocated still fit: runs `attempt(1)`,
 * `attempt(2)` ... up to `max` until one is `refused`, and returns that one (undefined if none was).
 */
export async function firstRefused<T>(attempt: (i: number) => Promise<T>, refused: (answer: T) => boolean, max: number): Promise<T | undefined> {
  for (let i = 1; i <= max; i++) {
    const answer = await attempt(i);
    if (refused(answer)) return answer;
  }
  return undefined;
}
