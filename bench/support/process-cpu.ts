import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

const childrenOf = (pid: number): number[] => {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
};

/** utime + stime of one process (all its threads, not its children), in µs (0 once it is gone). */
export function ownCpuMicros(pid: number): number {
  try {
    // The command name, in parentheses, may hold spaces: the fields follow its closing parenthesis.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** CPU time (user + system) of a process and its descendants so far, in µs, from /proc (Linux): the CPU of a server run in other processes. */
export function processTreeCpuMicros(pid: number): number {
  return ownCpuMicros(pid) + childrenOf(pid).reduce((sum, child) => sum + processTreeCpuMicros(child), 0);
}
