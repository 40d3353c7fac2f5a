import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { shownCommand, WatchedChild } from '../../support/watched-child';

export const REPO_ROOT = join(__dirname, '..', '..', '..');

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env: Record<string, string | undefined>;
  /** Piped to stdin, then stdin ends (unless `inputLeftOpen`). */
  input?: string;
  /** Stdin is left open once `input` is written, as a pipe whose writer goes on (`yes`, a device). */
  inputLeftOpen?: boolean;
  /** Written to the child's fd 3 (give it with --passphrase-fd 3), once it settles if a promise. */
  fd3?: string | Promise<string>;
  /** Called with what stdout and stderr hold so far, each time one grows. */
  onOutput?: (stdout: string, stderr: string) => void;
  /** Once this settles, the process gets SIGINT, as from Ctrl-C. */
  interrupt?: Promise<unknown>;
  /** How long it may run before the test fails naming it and its last lines (it is then killed). */
  deadlineMs?: number;
}

/** `ended`, once the child has ended within `ms` (WatchedChild.endWithin: else an error naming it, what it waited for, its last lines). */
async function endWithin<T>(child: ChildProcess, name: string, ms: number, ended: Promise<T>, waitedFor?: () => string): Promise<T> {
  await Promise.race([new WatchedChild(child, name).endWithin(ms, waitedFor), ended]);
  return ended;
}

/** The CLI as a command: compiled (dist) for the end-to-end test, from source otherwise. */
export type CliCommand = readonly string[];
export const CLI_FROM_SOURCE: CliCommand = [process.execPath, '--require', join(REPO_ROOT, 'scripts/register-ts.js'), join(REPO_ROOT, 'src/cli/ztkeys.ts')];
/** The CLI as built by `npm run build`: it starts as fast as it will for users (run the build first). */
export const CLI_BUILT: CliCommand = [process.execPath, join(REPO_ROOT, 'dist/src/cli/ztkeys.js')];

/** Runs a command to its end, stdin and fd 3 piped. */
export function runProcess(command: CliCommand, args: readonly string[], options: RunOptions): Promise<ProcessResult> {
  const child = spawn(command[0], [...command.slice(1), ...args], {
    env: options.env as NodeJS.ProcessEnv,
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
  });
  const ended = new Promise<ProcessResult>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      options.onOutput?.(stdout, stderr);
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      options.onOutput?.(stdout, stderr);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin!.on('error', () => undefined); // a run that ended without reading it all
    if (options.inputLeftOpen) child.stdin!.write(options.input ?? '');
    else child.stdin!.end(options.input ?? '');
    const fd3 = child.stdio[3] as NodeJS.WritableStream;
    fd3.on('error', () => undefined); // a run that never reads fd 3 closes it first
    void Promise.resolve(options.fd3 ?? '').then((text) => fd3.end(text));
    void options.interrupt?.then(() => child.kill('SIGINT'));
  });
  return endWithin(child, shownCommand([...command, ...args]), options.deadlineMs ?? 30_000, ended);
}

const shellQuote = (word: string): string => `'${word.replace(/'/g, `'\\''`)}'`;

/** One exchange with a program on a terminal: wait until its output matches, then type. */
export interface PtyStep {
  expect: RegExp;
  type: string;
}

/**
 * Runs a command on a real pseudo-terminal (util-linux `script`), answering its prompts as a
 * person would: each answer is typed only once its prompt shows. The output is what the
 * terminal showed (stdout and stderr together, as on a screen).
 */
export function runInPty(command: CliCommand, args: readonly string[], env: Record<string, string | undefined>, steps: readonly PtyStep[]): Promise<ProcessResult> {
  const line = [...command, ...args].map(shellQuote).join(' ');
  const child = spawn('script', ['--quiet', '--flush', '--return', '--command', line, '/dev/null'], {
    env: env as NodeJS.ProcessEnv,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let step = 0;
  const ended = new Promise<ProcessResult>((resolve, reject) => {
    let screen = '';
    let consumed = 0;
    const advance = () => {
      while (step < steps.length) {
        const match = steps[step].expect.exec(screen.slice(consumed));
        if (!match) return;
        consumed += match.index + match[0].length;
        child.stdin!.write(steps[step].type);
        step++;
      }
    };
    child.stdout!.on('data', (chunk: Buffer) => {
      screen += chunk.toString('utf8');
      advance();
    });
    child.stderr!.on('data', (chunk: Buffer) => (screen += chunk.toString('utf8')));
    child.on('error', reject);
    // stdin stays open until the program ends: its end would hang up the terminal.
    child.on('close', (code) => {
      child.stdin!.destroy();
      resolve({ code, stdout: screen, stderr: '' });
    });
  });
  const waitedFor = (): string => (step < steps.length ? `the prompt ${String(steps[step].expect)} (answer ${step + 1} of ${steps.length})` : 'its end, every answer typed');
  return endWithin(child, `${shownCommand([...command, ...args])} on a terminal`, 30_000, ended, waitedFor);
}
