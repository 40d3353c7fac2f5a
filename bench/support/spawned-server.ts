import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RATE_LIMIT_NAMES } from '../../src/config/app-config';

/** The built server as an operator starts it: `node dist/src/main.js`. */
export const SERVER_MAIN = join(__dirname, '..', '..', 'src', 'main.js');

/** Benches send thousands of calls from one agent and address: limits far above that. */
export const GENEROUS_RATE_LIMITS = Object.fromEntries(RATE_LIMIT_NAMES.map((name) => [`RATE_LIMIT_${name.toUpperCase()}`, '1000000/1']));

export interface SpawnOptions {
  /** The script to run; the built server by default. */
  script?: string;
  /** Added to this process's environment (DATA_DIR, PORT and HOST are set here). */
  env?: Record<string, string>;
  /** Processes that must log "is listening on" before it counts as started (WORKERS). */
  workers?: number;
  /** Its data folder, kept on stop; a fresh one, removed on stop, when absent. */
  dataDir?: string;
  /** Options of node itself, before the script (--expose-gc, --require...). */
  nodeArgs?: string[];
  /** The cores it may run on, as `taskset -c` lists them ("0"); every core when absent. */
  cpus?: string;
  /** How long it may take to log that it listens (LISTENING_WITHIN_MS by default). */
  listeningWithinMs?: number;
}

export interface SpawnedServer {
  url: string;
  pid: number;
  dataDir: string;
  /** Resolves once it logged that it listens (every worker), rejects if it exits before. */
  listening: Promise<void>;
  /** SIGTERM, then waits for the exit (and removes a data folder of its own). */
  stop(): Promise<void>;
}

export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
    probe.once('error', reject);
  });

/**
 * How long a spawned server may take by default to log that it listens: a start on the growth
 * bench's log of 1,000,000 events takes seconds, so this only bounds a server that never says it
 * (a bench then fails naming its output rather than waiting for good).
 */
const LISTENING_WITHIN_MS = 180_000;

/**
 * Spawns `script` in a process of its own on a loopback port, its stdout going to a file (as an
 * operator's log collector takes it, not parsed by this process on the same cores) in a folder of
 * its own: the server refuses a DATA_DIR holding a file it did not make. `listening` resolves
 * once `workers` processes logged that they listen. It logs at info, whatever LOG_LEVEL the shell
 * running the benches exports: that line is logged at info, and the figures are read with the
 * request log an operator's server writes.
 */
export async function spawnServer(options: SpawnOptions = {}): Promise<SpawnedServer> {
  const script = options.script ?? SERVER_MAIN;
  const workers = options.workers ?? 1;
  const ownDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'ztkeys-bench-server-'));
  const port = await freePort();
  const logDir = mkdtempSync(join(tmpdir(), 'ztkeys-bench-stdout-'));
  const logPath = join(logDir, 'stdout.log');
  const command = [process.execPath, ...(options.nodeArgs ?? []), script];
  // taskset execs node in its own process: the pid stays the server's.
  const [file, ...args] = options.cpus === undefined ? command : ['taskset', '-c', options.cpus, ...command];
  const stdout = openSync(logPath, 'w');
  // The child holds its own copy of the log's descriptor; this process's is closed once it is spawned.
  const server = spawn(file, args, {
    env: { ...process.env, LOG_LEVEL: 'info', ...options.env, WORKERS: String(workers), DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', stdout, 'inherit'],
  });
  closeSync(stdout);
  const exited = new Promise((resolve) => server.once('exit', resolve));
  const outputEnd = () => readFileSync(logPath, 'utf8').slice(-2000);
  const within = options.listeningWithinMs ?? LISTENING_WITHIN_MS;
  const listening = new Promise<void>((resolve, reject) => {
    const startedAt = Date.now();
    const poll = setInterval(() => {
      if ((readFileSync(logPath, 'utf8').match(/is listening on/g) ?? []).length >= workers) {
        clearInterval(poll);
        resolve();
      } else if (Date.now() - startedAt > within) {
        clearInterval(poll);
        reject(new Error(`${script} did not log that ${workers} process(es) listen within ${within / 1000} s; its output ends: ${outputEnd()}`));
      }
    }, 50);
    server.once('exit', (code) => {
      clearInterval(poll);
      reject(new Error(`${script} exited with code ${code} before listening; its output ends: ${outputEnd()}`));
    });
  });
  // Whoever awaits `listening` sees its failure; the exit after a stop is no failure.
  listening.catch(() => undefined);
  const stop = async () => {
    server.kill('SIGTERM');
    await exited;
    rmSync(logDir, { recursive: true, force: true });
    if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  return { url: `http://127.0.0.1:${port}`, pid: server.pid!, dataDir, listening, stop };
}

/** A spawned server (spawnServer), once it listens. */
export async function startSpawnedServer(options: SpawnOptions = {}): Promise<SpawnedServer> {
  const server = await spawnServer(options);
  try {
    await server.listening;
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

/** Runs `work` on a server started for it, and stops the server whatever happens. */
export async function withSpawnedServer<T>(options: SpawnOptions, work: (server: SpawnedServer) => Promise<T>): Promise<T> {
  const server = await startSpawnedServer(options);
  try {
    return await work(server);
  } finally {
    await server.stop();
  }
}
