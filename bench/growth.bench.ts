import { randomBytes } from 'node:crypto';
import { get } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { mintAgentToken } from '../src/auth/token-minter';
import { embeddedEventLogPath } from '../src/event-store/open-event-store';
import { SqliteEventStore } from '../src/event-store/sqlite/sqlite-event-store';
import { signerFromSeed, signerKeyText } from '../src/transparency/signed-note';
import type { Bench, BenchRow } from './bench-row';
import { orgsOf } from './http-key-requests.bench';
import { eventStoreSink, writeOrgHistory, type AuditExportSummary } from './support/audit-export';
import { BenchClient } from './support/bench-client';
import { fire } from './support/load';
import { growthSlope } from './support/growth-slope';
import { processTreeCpuMicros } from './support/process-cpu';
import { memoryParts, memoryPartsTable } from './support/memory-parts';
import { memoryAfterGc, memoryReporting, peakRss, resetPeakRss, unsettledBy, type ServerMemory } from './support/server-memory';
import { settled } from './support/settled';
import { GENEROUS_RATE_LIMITS, spawnServer, type SpawnedServer } from './support/spawned-server';

/** Events of the org whose history fills the log: BENCH_GROWTH_EVENTS (1,000,000 by hand: it takes a while to write and catch up). */
const EVENTS = Number(process.env.BENCH_GROWTH_EVENTS ?? 100_000);
/** Seconds of key requests in each round of the load: BENCH_GROWTH_LOAD_SECONDS. */
const LOAD_SECONDS = Number(process.env.BENCH_GROWTH_LOAD_SECONDS ?? 30);
/**
 * BENCH_GROWTH_LOAD_REQUESTS=N: key requests until at least N in each round instead (in batches of
 * LOAD_BATCH): the caches fill with the requests, so runs compared (old and new builds, on a
 * loaded machine) make as many.
 */
const LOAD_REQUESTS = Number(process.env.BENCH_GROWTH_LOAD_REQUESTS ?? 0);
/**
 * Rounds of the load, the server's memory read (settled, after a GC) after each: BENCH_GROWTH_LOAD_ROUNDS.
 * Flat under sustained load means the later rounds' RSS no longer grows with time and requests.
 */
const LOAD_ROUNDS = Number(process.env.BENCH_GROWTH_LOAD_ROUNDS ?? 4);
const AGENTS = 1000;
/** The checkpointer's default 2 s at 500 commands/s. */
const CHECKPOINT_EVERY = 1000;
/**
 * V8 gives back the pages a burst (a catch-up, the self-check's read of the log) left committed
 * only after a while idle, in steps, and shrinks a thread's young generation only once it
 * allocates little: a settled server's memory is read after a GC of every thread every few
 * seconds, readings taken with a self-check's thread alive or a young generation still grown set
 * aside (unsettledBy), until the RSS of the others stops falling (STEADY_READINGS in a row),
 * BENCH_GROWTH_IDLE_SECONDS at most (then the lowest reading, saying why it is not settled).
 */
const READING_EVERY_MS = 5000;
const STEADY_READINGS = 3;
const IDLE_SECONDS = Number(process.env.BENCH_GROWTH_IDLE_SECONDS ?? 180);
/** BENCH_MEMORY_DETAIL=1: where the resident set is, printed after each round and as a table at the end (memory-parts.ts). */
const DETAIL = process.env.BENCH_MEMORY_DETAIL === '1';
/**
 * BENCH_GROWTH_DIR=PATH keeps the full log's data folder (and the log's signing key) there:
 * written and caught up by the first run, reused by the next ones, which start on it at once.
 */
const KEPT_DIR = process.env.BENCH_GROWTH_DIR;
/** BENCH_GROWTH_EXPORT_ONLY=1 measures the export and its ceiling alone (no empty log, no load), a few minutes at 1,000,000 events with BENCH_GROWTH_DIR. */
const EXPORT_ONLY = process.env.BENCH_GROWTH_EXPORT_ONLY === '1';
/**
 * Exports in a row: the first runs code the server has not compiled yet (its CPU an event 1.5-2x a
 * later one's), so the rate printed is the last one's, a server in service; the first's beside it.
 */
const EXPORTS = 3;
/** How long /health/live is probed on the idle server before the exports, beside the probe during them. */
const EXPORT_IDLE_PROBE_MS = 2000;
/** Key requests prepared and fired at a time (challenges live 5 minutes). */
const LOAD_BATCH = 900;
const CONNECTIONS = 32;
const ORG = 'growth-org';
const ADMIN = 'alice';
const SECRETS = {
  JWT_SECRET: 'bench-growth-jwt-secret-of-32-bytes-at-least',
  CHALLENGE_SECRET: 'bench-growth-challenge-secret-of-32-bytes-at-least',
  BOOTSTRAP_TOKEN: 'bench-growth-bootstrap-token-of-32-bytes-at-least',
};
/**
 * The server runs with glibc's malloc as deployed: two arenas (the image's `ENV` and `npm start`
 * set MALLOC_ARENA_MAX=2), or what MALLOC_ARENA_MAX says in the bench's environment (0: glibc's
 * default of up to eight a core).
 */
const MALLOC_ARENA_MAX = process.env.MALLOC_ARENA_MAX ?? '2';
/**
 * BENCH_GROWTH_NODE_ARGS: options of node for the server, space-separated (V8 flags NODE_OPTIONS
 * refuses, e.g. --compact-on-every-full-gc); by default the V8 flag the image and `npm start` set
 * (empty: V8's own growing factor).
 */
const NODE_ARGS = (process.env.BENCH_GROWTH_NODE_ARGS ?? '--heap-growing-percent=100').split(' ').filter((arg) => arg !== '');
/** The server's bounds the bench's environment sets (each variable passes through to it), named in the first row: smaller ones are reached in fewer rounds. */
const BOUNDS = ['STREAM_STATES_IN_MEMORY', 'STREAM_STATE_EVENTS_IN_MEMORY', 'LOG_ORGS_IN_MEMORY'].filter((name) => process.env[name]).map((name) => `, ${name}=${process.env[name]}`).join('');
const MiB = (bytes: number): number => Math.round((bytes / 1048576) * 10) / 10;
const count = (n: number): string => n.toLocaleString('en-US');

/** A reading kept: how long after the server settled it came, and why it is not one of the server at rest (none: it is). */
type Reading = ServerMemory & { waited: number; unsettled: string[] };

/** The server as an operator starts it on one machine (every role, embedded stores), reporting its memory after a GC on demand. */
interface Run {
  server: SpawnedServer;
  /** Once it listens and has settled (see `settled`): the longest a /health/live request waited meanwhile, in ms. */
  started: Promise<number>;
  /** Its memory once settled and steady, after a GC of every thread. */
  memory(): Promise<Reading>;
}

async function withServer<T>(dataDir: string, env: Record<string, string>, work: (run: Run) => Promise<T>): Promise<T> {
  const report = join(dataDir, 'memory-report.ndjson');
  const reporting = memoryReporting(report);
  const server = await spawnServer({ dataDir, nodeArgs: [...reporting.nodeArgs, ...NODE_ARGS], env: { ...env, ...reporting.env } });
  try {
    const started = liveWaits(server, server.listening.then(() => settled(server))).then(longest);
    started.catch(() => undefined); // awaited by `work`; a failed start rejects `listening` first
    await server.listening;
    const memory = async (): Promise<Reading> => {
      await settled(server);
      const since = performance.now();
      const waited = () => Math.round((performance.now() - since) / 1000);
      let lowest: Reading | undefined;
      let kept: Reading | undefined;
      for (let steady = 0; steady < STEADY_READINGS && waited() < IDLE_SECONDS; await sleep(READING_EVERY_MS)) {
        const memory = await memoryAfterGc(server.pid, report);
        const reading = { ...memory, waited: waited(), unsettled: unsettledBy(memory) };
        if (!lowest || reading.rss < lowest.rss) lowest = reading;
        if (reading.unsettled.length > 0) continue;
        steady = kept && reading.rss >= kept.rss - 1048576 ? steady + 1 : 0;
        if (!kept || reading.rss < kept.rss) kept = reading;
      }
      return kept ?? (lowest as Reading);
    };
    return await work({ server, started, memory });
  } finally {
    await server.stop();
  }
}

/**
 * GET /health/live every 10 ms, one at a time, until `until` settles (refused connections,
 * before the port is bound, are tried again): how long each answer took, ascending. From the
 * spawn, the longest is the longest the server's event loop was held while it started (its log
 * line that it listens is written only when the loop is free again, so probing from that line
 * would miss it).
 */
async function liveWaits(server: SpawnedServer, until: Promise<unknown>): Promise<number[]> {
  let done = false;
  const stop = () => (done = true);
  void until.then(stop, stop);
  const waits: number[] = [];
  while (!done) {
    const sent = performance.now();
    const answered = await fetch(`${server.url}/health/live`).then(
      (response) => response.arrayBuffer().then(() => true),
      () => false,
    );
    if (answered) waits.push(performance.now() - sent);
    await sleep(10);
  }
  await until;
  return waits.sort((a, b) => a - b);
}

const longest = (waits: number[]): number => waits.at(-1) ?? 0;
const p99 = (waits: number[]): number => waits[Math.min(waits.length - 1, Math.floor(waits.length * 0.99))] ?? 0;

/** The org's export over HTTP, read and discarded as it arrives: lines, and seconds from the request to the last byte. */
function download(url: string, token: string): Promise<{ lines: number; seconds: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    get(url, { headers: { authorization: `Bearer ${token}` } }, (response) => {
      if (response.statusCode !== 200) reject(new Error(`GET ${url}: ${response.statusCode}`));
      let lines = 0;
      response.on('data', (chunk: Buffer) => {
        for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines++;
      });
      response.on('end', () => resolve({ lines, seconds: (performance.now() - started) / 1000 }));
      response.on('error', reject);
    }).on('error', reject);
  });
}

/** The ceiling of the export: every event of the log read straight from the file through the adapter (rows decoded, 1,000 a page), the org's counted. */
async function readRate(store: SqliteEventStore, orgId: string): Promise<{ events: number; seconds: number; cpuMicros: number }> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  let events = 0;
  for (let after: bigint | undefined; ; ) {
    const page = await store.readAll(after, 1000);
    for (const event of page) if (event.metadata.orgId === orgId) events++;
    if (page.length < 1000) break;
    after = page[page.length - 1].position;
  }
  const { user, system } = process.cpuUsage(cpu);
  return { events, seconds: (performance.now() - started) / 1000, cpuMicros: user + system };
}

/** One round of the load: key requests of new members in orgs of 10, batch after batch, for LOAD_SECONDS (or until LOAD_REQUESTS). */
async function loadRound(client: BenchClient, url: string, round: number): Promise<number> {
  const started = performance.now();
  const more = (requests: number) => (LOAD_REQUESTS > 0 ? requests < LOAD_REQUESTS : (performance.now() - started) / 1000 < LOAD_SECONDS);
  let requests = 0;
  for (let batch = 0; more(requests); batch++) {
    requests += (await fire({ url, connections: CONNECTIONS, requests: await orgsOf(client, 10, LOAD_BATCH, `Load ${round}-${batch}`) })).ok;
  }
  return requests;
}

/**
 * Issue 14, item 7: does the server's memory stay flat as its log grows and under load, and does
 * the audit export stream in constant memory? The built server (`node dist/src/main.js`, every
 * role, embedded stores, request log on) runs in a process of its own, preloaded with a hook that
 * reports its memory after a full GC of every thread (bench/support/memory-report.preload.ts).
 * It starts on an empty log; then on a log holding one org's history of BENCH_GROWTH_EVENTS
 * events (decided by the deciders, signed statements, a signed checkpoint every 1,000 events),
 * appended through the SQLite adapter before the start: a first start builds the read models and
 * the Merkle nodes, the second is measured after start, after each round of sustained key requests, and during
 * the org's NDJSON export (peak RSS from /proc), whose rate stands beside reading the same events
 * straight from the log in the same run.
 */
export const growthBench: Bench = async () => {
  const root = KEPT_DIR ?? mkdtempSync(join(tmpdir(), 'ztkeys-bench-growth-'));
  mkdirSync(root, { recursive: true });
  const seedPath = join(root, 'log-key.seed');
  if (!existsSync(seedPath)) writeFileSync(seedPath, randomBytes(32));
  const logKey = signerFromSeed('bench.local/audit-log', readFileSync(seedPath));
  const env = { ...SECRETS, ...GENEROUS_RATE_LIMITS, LOG_SIGNING_KEY: signerKeyText(logKey), MALLOC_ARENA_MAX };
  const load: number[] = [];
  const sampleLoad = () => load.push(loadavg()[0]);
  try {
    const emptyDir = join(root, 'empty');
    mkdirSync(emptyDir, { recursive: true });
    const empty = EXPORT_ONLY
      ? undefined
      : await withServer(emptyDir, env, async ({ server, started, memory }) => ({
          liveWait: await started,
          memory: await memory(),
          peak: peakRss(server.pid),
        }));
    sampleLoad();

    const dataDir = join(root, 'full');
    const historyPath = join(root, 'history.json');
    const reused = existsSync(historyPath);
    let history: AuditExportSummary = reused ? JSON.parse(readFileSync(historyPath, 'utf8')) : { events: 0, checkpoints: 0, signatures: 0 };
    let firstPeak = 0;
    if (!reused) {
      rmSync(dataDir, { recursive: true, force: true });
      mkdirSync(dataDir);
      const filling = performance.now();
      const store = new SqliteEventStore({ path: embeddedEventLogPath(dataDir) });
      const into = eventStoreSink(store);
      history = await writeOrgHistory(into.sink, { orgId: ORG, events: EVENTS, agents: AGENTS, checkpointEvery: CHECKPOINT_EVERY, logKey });
      await into.flush();
      await store.close();
      console.error(`  ${count(history.events)} events and ${count(history.checkpoints)} checkpoints appended in ${((performance.now() - filling) / 1000).toFixed(1)} s`);
      sampleLoad();

      // The first start catches up: the read models and the Merkle nodes are built from the log.
      firstPeak = await withServer(dataDir, env, async ({ server, started }) => {
        await started;
        return peakRss(server.pid);
      });
      sampleLoad();
      writeFileSync(historyPath, JSON.stringify(history));
    }

    const measured = await withServer(dataDir, env, async ({ server, started, memory }) => {
      const liveWait = await started;
      const atStart = EXPORT_ONLY ? undefined : { memory: await memory(), peak: peakRss(server.pid) };
      sampleLoad();
      const events = new SqliteEventStore({ path: embeddedEventLogPath(dataDir) });
      try {
        const token = (orgId: string, agentId: string) => mintAgentToken(SECRETS.JWT_SECRET, { agentId, orgId }, 3600);
        const client = new BenchClient({ url: server.url, bootstrapToken: SECRETS.BOOTSTRAP_TOKEN, token, eventStore: events });
        // Before the load: its requests append other orgs' events, which a read of the whole log
        // would go through too (it read more than twice the org's events after 45,000 requests).
        const ceiling = await readRate(events, ORG);
        const rounds: { requests: number; seconds: number; memory: Reading }[] = [];
        for (let round = 0, requests = 0, seconds = 0; !EXPORT_ONLY && round < LOAD_ROUNDS; round++) {
          const roundStarted = performance.now();
          requests += await loadRound(client, server.url, round);
          seconds += (performance.now() - roundStarted) / 1000;
          sampleLoad();
          rounds.push({ requests, seconds, memory: await memory() });
          const { memory: kept } = rounds[round];
          console.error(`  after load round ${round + 1}: ${count(requests)} key requests, RSS ${MiB(kept.rss)} MiB, heap ${MiB(kept.heapUsed)} MiB, ${kept.unsettled.length ? `not settled in ${kept.waited} s (${kept.unsettled.join('; ')})` : `settled after ${kept.waited} s`}`);
          if (DETAIL) console.error(`    ${memoryParts(kept).map(([part, mib]) => `${part} ${mib}`).join(', ')}`);
        }
        const loaded = rounds.at(-1)?.memory ?? (await memory());

        const exportToken = await token(ORG, ADMIN);
        const idleLiveWaits = await liveWaits(server, sleep(EXPORT_IDLE_PROBE_MS));
        resetPeakRss(server.pid);
        const exports: Array<{ lines: number; seconds: number; cpu: number }> = [];
        const exporting = (async () => {
          for (let run = 0; run < EXPORTS; run++) {
            const cpuBefore = processTreeCpuMicros(server.pid);
            const exported = await download(`${server.url}/v1/orgs/${ORG}/audit-log/export`, exportToken);
            exports.push({ ...exported, cpu: processTreeCpuMicros(server.pid) - cpuBefore });
            // The ceiling was read before the load: a run of more than an hour sees the checkpointer
            // sign the org again meanwhile (its idle re-sign), one event more in the export.
            if (exported.lines < ceiling.events) throw new Error(`the export holds ${exported.lines} lines, the log held ${ceiling.events} events of ${ORG} before the load`);
          }
        })();
        const exportLiveWaits = await liveWaits(server, exporting);
        const exportPeak = peakRss(server.pid);
        sampleLoad();
        return { liveWait, atStart, rounds, loaded, ceiling, cold: exports[0], exported: exports[EXPORTS - 1], exportPeak, exportLiveWaits, idleLiveWaits };
      } finally {
        await events.close();
      }
    });

    const n = count(history.events);
    const loadAverage = `load average ${Math.min(...load).toFixed(1)}-${Math.max(...load).toFixed(1)}`;
    const { ceiling, cold, exported } = measured;
    const exportRows: BenchRow[] = [
      {
        name: `(${EXPORT_ONLY ? loadAverage : 'same run'}) audit export of the org over HTTP, NDJSON read and discarded (${count(exported.lines)} lines), the last of ${EXPORTS} back to back (the first, its code not yet compiled: ${count(Math.round(cold.lines / cold.seconds))} events/s, ${(cold.lines / cold.seconds / (ceiling.events / ceiling.seconds)).toFixed(2)} of the ceiling)`,
        value: Math.round(exported.lines / exported.seconds),
        unit: 'events/s',
        ceilingName: 'the same events read straight from the log (SQLite adapter readAll, 1,000 a page)',
        ceilingValue: Math.round(ceiling.events / ceiling.seconds),
      },
      {
        // On 2 shared cores the rates move with the load; CPU per event much less.
        name: `(same run) server CPU per event of the last export (every thread, from /proc; the first: ${(cold.cpu / cold.lines).toFixed(2)})`,
        value: Math.round((exported.cpu / exported.lines) * 100) / 100,
        unit: 'µs CPU/event',
        ceilingName: 'CPU per event of reading the log (this process)',
        ceilingValue: Math.round((ceiling.cpuMicros / ceiling.events) * 100) / 100,
      },
      {
        name: `(same run) p99 wait of a /health/live request during the ${EXPORTS} exports (one every 10 ms, one at a time; ${measured.exportLiveWaits.length} requests, the longest ${Math.round(longest(measured.exportLiveWaits))} ms)`,
        value: Math.round(p99(measured.exportLiveWaits) * 10) / 10,
        unit: 'ms',
        ceilingName: `the same over ${EXPORT_IDLE_PROBE_MS / 1000} s of the server idle just before (the longest ${Math.round(longest(measured.idleLiveWaits))} ms)`,
        ceilingValue: Math.round(p99(measured.idleLiveWaits) * 10) / 10,
      },
      {
        name: `(same run) server peak RSS during the ${EXPORTS} exports`,
        value: MiB(measured.exportPeak),
        unit: 'MiB',
        ceilingName: `RSS before it (${EXPORT_ONLY ? 'after start' : 'after the load'})`,
        ceilingValue: MiB(measured.loaded.rss),
      },
    ];
    const { atStart } = measured;
    if (!empty || !atStart) return exportRows;
    const slope = growthSlope(measured.rounds.map(({ memory }) => memory));
    if (DETAIL) {
      const readings = [{ label: 'start', memory: atStart.memory }, ...measured.rounds.map(({ requests, memory }, round) => ({ label: `round ${round + 1} (${count(requests)})`, memory }))];
      console.error(`\n  Where the RSS is, after start and after each load round (key requests in all), each reading after a GC of every thread:\n${memoryPartsTable(readings.map(({ label, memory }) => ({ label, memory, unsettled: memory.unsettled })), slope?.from ?? readings.length)}\n`);
    }
    const rows: BenchRow[] = [
      {
        name: `(${loadAverage}, MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX}${BOUNDS}${NODE_ARGS.map((arg) => ` ${arg}`).join('')}) server RSS after start (settled and steady, after a GC of every thread), log of ${n} events + ${count(history.checkpoints)} checkpoints`,
        value: MiB(atStart.memory.rss),
        unit: 'MiB',
        ceilingName: 'the same, empty log',
        ceilingValue: MiB(empty.memory.rss),
      },
      {
        name: `(same run) main-thread heap used after start (the same), log of ${n} events`,
        value: MiB(atStart.memory.heapUsed),
        unit: 'MiB',
        ceilingName: 'the same, empty log',
        ceilingValue: MiB(empty.memory.heapUsed),
      },
      {
        name: `(same run) server peak RSS from start until caught up and self-checked, log of ${n} events`,
        value: MiB(atStart.peak),
        unit: 'MiB',
        ceilingName: 'the same, empty log',
        ceilingValue: MiB(empty.peak),
      },
      {
        name: `(same run) longest GET /health/live from the spawn until settled (embedded, the projector and the transparency work, Merkle follower and self-check, on worker threads), log of ${n} events`,
        value: Math.round(measured.liveWait),
        unit: 'ms',
        ceilingName: 'the same, empty log',
        ceilingValue: Math.round(empty.liveWait),
      },
      ...(reused
        ? []
        : [
            {
              name: `(same run) server peak RSS of the first start on that log (read models and Merkle nodes built from it)`,
              value: MiB(firstPeak),
              unit: 'MiB',
              ceilingName: 'the same, empty log',
              ceilingValue: MiB(empty.peak),
            },
          ]),
      ...measured.rounds.map(({ requests, seconds, memory }, round) => ({
        name: `(same run) server RSS after load round ${round + 1} of ${measured.rounds.length}: ${Math.round(seconds)} s and ${count(requests)} key requests in all (orgs of 10, ${CONNECTIONS} connections) (${memory.unsettled.length ? `not settled in ${memory.waited} s: ${memory.unsettled.join('; ')}; its lowest reading` : 'settled and steady, after a GC of every thread'})`,
        value: MiB(memory.rss),
        unit: 'MiB',
        ceilingName: 'after start, same log',
        ceilingValue: MiB(atStart.memory.rss),
      })),
      ...(slope
        ? [
            {
              name: `(same run) server RSS slope over load rounds ${slope.from}-${slope.to} (${slope.bounded ? "from the one where the main-thread heap reached its bound, its caches full" : 'the last third: the main-thread heap not yet at its bound'}; Theil-Sen${slope.unsettled ? `, the ${slope.unsettled} readings not settled left out` : ''}), flat is 0; beside it the RSS after start`,
              value: MiB(slope.rss),
              unit: 'MiB/round',
              ceilingName: `RSS after start (MiB; the ratio is the share of it a round adds); the main-thread heap's slope, same rounds: ${MiB(slope.heapUsed)} MiB/round`,
              ceilingValue: MiB(atStart.memory.rss),
            },
          ]
        : []),
      {
        name: `(same run) main-thread heap used after the last load round (the same)`,
        value: MiB(measured.loaded.heapUsed),
        unit: 'MiB',
        ceilingName: 'after start, same log',
        ceilingValue: MiB(atStart.memory.heapUsed),
      },
      ...exportRows,
    ];
    return rows;
  } finally {
    if (!KEPT_DIR) rmSync(root, { recursive: true, force: true });
  }
};
