import { cpSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envelope } from '../../src/application/command-context';
import { Directory } from '../../src/application/directory';
import type { AgentAdded } from '../../src/domain/organization/organization.events';
import { orgStream } from '../../src/domain/streams';
import { newId } from '../../src/shared/ids';
import { call, Journey, type Reply, type TestAgent } from '../support/api-client';
import { rawCall } from '../support/raw-http';
import { startTestServer, type TestServer } from '../support/test-server';
import { waitFor } from '../notifications/support/wait-for';
import { expectProblem } from './expectations';
import { serverForSuite } from '../support/server-for-suite';

/**
 * The suite's timeouts are a second or two: a loaded machine stalls the event loop for hundreds of
 * milliseconds (after a stall the server's timers run before the bytes waiting on its sockets are
 * read), and timeouts of 300 ms then closed connections whose bytes had come in time (CI).
 */
const CONNECTION_TIMEOUT_MS = 1000;
/** The export of the big org holds at least this much: 40,000 lines of more than 400 bytes. */
const EXPORT_BYTES = 16_000_000;

/**
 * The log's WAL is cut back to 4 MiB after each checkpoint (journal_size_limit); a reader pinning
 * its snapshot keeps every frame written since (13.5 MiB and more below). Between the two: room for
 * the commit under way and for a checkpoint the server's own readers (the projector, the
 * transparency thread) hold back a moment on a loaded machine (8.05 MiB seen on 2 busy cores).
 */
const WAL_BOUND_BYTES = 12 * 1024 * 1024;

/** Far above every timeout the suite configures (two seconds at most): a connection still open after this is held. */
const PATIENCE_MS = 10_000;

/** A raw connection to the server, and whether (and what) the server answered before closing it. */
interface Connection {
  socket: Socket;
  /** Resolves true when the server closes the connection within `ms`, false otherwise. */
  closedWithin(ms: number): Promise<boolean>;
  /**
   * Resolves once the server has closed its end of the connection, or after `ms`: what a paused
   * client cannot see (it reads nothing, its close included), read off the server's own socket.
   */
  closedByServerWithin(ms: number): Promise<void>;
  received(): string;
  /** Bytes of answers read so far. */
  bytes(): number;
}

function open(server: TestServer): Promise<Connection> {
  const http = server.app.getHttpServer() as Server;
  // The server's ends of the connections accepted while this one is open: its own is the one whose remote port is its local port.
  const accepted: Array<{ end: Socket; port?: number }> = [];
  const accept = (end: Socket) => accepted.push({ end, port: end.remotePort });
  http.on('connection', accept);
  const socket = connect(Number(new URL(server.url).port), '127.0.0.1');
  socket.once('close', () => http.off('connection', accept));
  let text = '';
  let bytes = 0;
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    // The head of the answer is enough to read its status.
    if (text.length < 1024) text += chunk.toString('latin1');
  });
  socket.on('error', () => undefined);
  const connection: Connection = {
    socket,
    received: () => text,
    bytes: () => bytes,
    closedWithin: (ms) =>
      new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), ms);
        void closed.then(() => {
          clearTimeout(timer);
          resolve(true);
        });
      }),
    closedByServerWithin: (ms) => {
      const end = accepted.find((candidate) => candidate.port === socket.localPort)?.end;
      if (!end) throw new Error('the server accepted no connection from this client');
      return new Promise((resolve) => {
        if (end.closed) return resolve();
        const timer = setTimeout(resolve, ms);
        end.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
  return new Promise((resolve) => socket.once('connect', () => resolve(connection)));
}

/**
 * An export requested on `connection`, whose answer the client stops reading after its first bytes
 * until the server has closed its end (PATIENCE_MS at most), and then reads again. A paused socket
 * reads nothing, its close included: only reading again shows whether the server gave up on it meanwhile.
 */
async function stalledExport(connection: Connection, agent: TestAgent): Promise<void> {
  await exportStarted(connection, agent);
  await connection.closedByServerWithin(PATIENCE_MS);
  connection.socket.resume();
}

/**
 * An export requested on `connection`, once its first bytes have come; the client reads no more of it.
 * A connection the server closes before answering fails at once rather than waiting for bytes that never come.
 */
async function exportStarted(connection: Connection, agent: TestAgent): Promise<void> {
  const started = new Promise<void>((resolve, reject) => {
    const closed = () => reject(new Error('the server closed the connection before the first bytes of the export'));
    connection.socket.once('close', closed);
    connection.socket.once('data', () => {
      connection.socket.off('close', closed);
      connection.socket.pause();
      resolve();
    });
  });
  connection.socket.write(`GET /v1/orgs/${agent.orgId}/audit-log/export HTTP/1.1\r\nHost: ztkeys\r\nAuthorization: Bearer ${agent.token}\r\n\r\n`);
  await started;
}

/**
 * Members added to `agent`'s org in one append, with long names: an export of this org is far
 * larger than what the kernel's socket buffers hold on loopback (a few MiB), so a client that does
 * not read it leaves the server with most of it still to send.
 * The org's directory is then folded with them, as the org's next request would: folding 40,000
 * events took 0.9-1.7 s on a quiet machine (more on a loaded one), and meanwhile that request's
 * connection moves no byte, so the slow clients' 1 s CONNECTION_TIMEOUT_MS closed it before its
 * answer began (CI).
 */
async function growOrg(server: TestServer, agent: TestAgent, members: number, first = 0): Promise<void> {
  const stream = orgStream(agent.orgId);
  const last = (await server.eventStore.readStream(stream)).at(-1)!;
  const added: AgentAdded[] = Array.from({ length: members }, (_, i) => ({
    type: 'AgentAdded',
    data: { agentId: `member-${first + i}`, email: `member-${first + i}@example.com`, displayName: `Member ${first + i} ${'x'.repeat(400)}`, role: 'MEMBER' },
  }));
  const commandId = newId();
  await server.eventStore.append([{ stream, expected: last.revision, events: envelope(added, { actor: agent.agentId, orgId: agent.orgId, correlationId: commandId, commandId, now: new Date() }) }]);
  await server.app.get(Directory).org(agent.orgId);
}

/**
 * A DATA_DIR holding alice's org grown by 40,000 members, its read models projected: made once,
 * by a server of its own, and copied for each suite's server (its own env), which would otherwise
 * append and project those 40,000 events again.
 */
let template: Promise<{ dataDir: string; orgId: string }> | undefined;
const work = mkdtempSync(join(tmpdir(), 'ztkeys-slow-clients-'));
const bigOrgTemplate = () =>
  (template ??= (async () => {
    const server = await startTestServer({ DATA_DIR: join(work, 'template') });
    try {
      const alice = await new Journey(server).createOrg('alice');
      await growOrg(server, alice, 40_000);
      const head = String(await server.eventStore.headPosition());
      for (const path of ['audit-log?limit=1', 'zero-trust-status']) {
        await waitFor(`${path} projected`, async () => (await call(server, 'GET', `/v1/orgs/${alice.orgId}/${path}`, alice.token, undefined, { 'x-min-position': head })).status === 200, 120_000);
      }
      return { dataDir: server.dataDir, orgId: alice.orgId };
    } finally {
      await server.close();
    }
  })());

// Before every suite's hooks, with the time to project 40,000 events on a loaded machine.
beforeAll(() => bigOrgTemplate(), 240_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A suite's server, with `env`, on its own copy of the template. */
const bigOrgServer = (env: Record<string, string> = {}) =>
  serverForSuite(async () => {
    const copy = mkdtempSync(join(work, 'suite-'));
    cpSync((await bigOrgTemplate()).dataDir, copy, { recursive: true });
    return { ...env, DATA_DIR: copy };
  });

/** Alice of the big org on `server`, its directory folded as growOrg leaves it. */
async function bigOrgAdmin(server: TestServer): Promise<TestAgent> {
  const { orgId } = await bigOrgTemplate();
  await server.app.get(Directory).org(orgId);
  return { orgId, agentId: 'alice', token: await server.token(orgId, 'alice') };
}

/** Clients slower than any real one: the server bounds how long they hold a connection and what it keeps for them. */
describe('slow clients', () => {
  // The slowloris, a byte every 20 ms, is still cut in the middle of its headers at REQUEST_TIMEOUT_MS.
  const suite = bigOrgServer({ REQUEST_TIMEOUT_MS: '2000', CONNECTION_TIMEOUT_MS: String(CONNECTION_TIMEOUT_MS), MIN_POSITION_WAIT_MS: '100', KEEP_ALIVE_TIMEOUT_MS: '2000' });
  let big: TestAgent;

  beforeAll(async () => {
    big = await bigOrgAdmin(suite.server);
  });

  it('closes a connection that sends nothing, and answers 408 to headers sent a byte at a time (slowloris)', async () => {
    const silent = await open(suite.server);
    const trickling = await open(suite.server);
    let stop = false;
    void (async () => {
      for (const byte of `GET /health/live HTTP/1.1\r\nHost: ztkeys\r\nX-Padding: ${'a'.repeat(10_000)}`) {
        if (stop) return;
        trickling.socket.write(byte);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    try {
      expect(await silent.closedWithin(PATIENCE_MS)).toBe(true);
      expect(await trickling.closedWithin(PATIENCE_MS)).toBe(true);
      expect(trickling.received()).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      stop = true;
      silent.socket.destroy();
      trickling.socket.destroy();
    }
  });

  it('closes a connection kept alive after an answer once it has been idle for KEEP_ALIVE_TIMEOUT_MS', async () => {
    const idle = await open(suite.server);
    try {
      idle.socket.write('GET /health/live HTTP/1.1\r\nHost: ztkeys\r\n\r\n');
      expect(await idle.closedWithin(PATIENCE_MS)).toBe(true);
      expect(idle.received()).toMatch(/^HTTP\/1\.1 200 .*\r\nconnection: keep-alive/is);
    } finally {
      idle.socket.destroy();
    }
  });

  it('closes the connection of a client that stops reading an export (CONNECTION_TIMEOUT_MS), and goes on serving', async () => {
    const reader = await open(suite.server);
    try {
      await stalledExport(reader, big);
      expect(reader.received()).toMatch(/^HTTP\/1\.1 200 .*\r\ncontent-type: application\/x-ndjson/is);
      expect(await reader.closedWithin(PATIENCE_MS)).toBe(true);
      // Cut short: what the socket buffers held when the server gave up, not the whole export.
      expect(reader.bytes()).toBeLessThan(EXPORT_BYTES);
    } finally {
      reader.socket.destroy();
    }
    expect((await call(suite.server, 'GET', `/v1/orgs/${big.orgId}/audit-log?limit=1`, big.token)).status).toBe(200);
  });

  it('gives the places of a client that stops reading its export back after CONNECTION_TIMEOUT_MS, while it still holds its socket open', async () => {
    const exportOf = () => fetch(`${suite.server.url}/v1/orgs/${big.orgId}/audit-log/export`, { headers: { authorization: `Bearer ${big.token}` } });
    const reader = await open(suite.server);
    try {
      await exportStarted(reader, big);
      const held = await exportOf();
      expect(held.status).toBe(429);
      expect(await held.json()).toMatchObject({ limit: 'concurrent_exports_per_agent' });
      // The stalled client does nothing more and keeps its end open: the server's idle timeout alone frees the place.
      let status = 429;
      for (const deadline = Date.now() + PATIENCE_MS; status === 429 && Date.now() < deadline; ) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const reply = await exportOf();
        status = reply.status;
        await reply.arrayBuffer();
      }
      expect(status).toBe(200);
    } finally {
      reader.socket.destroy();
    }
  });

  it('closes a stalled export sent on a connection kept alive from an earlier request, too', async () => {
    const reader = await open(suite.server);
    try {
      reader.socket.write('GET /health/live HTTP/1.1\r\nHost: ztkeys\r\n\r\n');
      for (const deadline = Date.now() + PATIENCE_MS; !reader.received().includes('\r\n\r\n') && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 10));
      await stalledExport(reader, big);
      expect(await reader.closedWithin(PATIENCE_MS)).toBe(true);
      expect(reader.bytes()).toBeLessThan(EXPORT_BYTES);
    } finally {
      reader.socket.destroy();
    }
  });
});

/** Refusals of one limit counted on /metrics. */
async function refusals(server: TestServer, limit: string): Promise<number> {
  const text = (await call<string>(server, 'GET', '/metrics')).body;
  const line = text.split('\n').find((row) => row.startsWith(`ztkeys_rate_limited_total{limit="${limit}"} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

/** Exports are the expensive reads: an org has so many under way at once, whoever asks and however fast they read. */
describe('concurrent exports', () => {
  // The default CONNECTION_TIMEOUT_MS: the stalled export holds its slot until its client lets go.
  const suite = bigOrgServer({ CONCURRENT_EXPORTS_PER_ORG: '1' });
  let big: TestAgent;

  beforeAll(async () => {
    big = await bigOrgAdmin(suite.server);
  });

  it('refuses an export of an org past CONCURRENT_EXPORTS_PER_ORG with a 429 problem counted on /metrics, not other orgs\' exports, and takes one again once the first is gone', async () => {
    const other = await suite.journey.createOrg('bob');
    const auditor = await suite.journey.addAgent(big, 'audrey', 'AUDITOR');
    const exportOf = (agent: TestAgent) => fetch(`${suite.server.url}/v1/orgs/${agent.orgId}/audit-log/export`, { headers: { authorization: `Bearer ${agent.token}` } });
    const before = await refusals(suite.server, 'concurrent_exports_per_org');
    const holder = await open(suite.server);
    try {
      await exportStarted(holder, big);
      // Another member of the org, on another connection, is refused at once: the org's exports are under way.
      const refused = await exportOf(auditor);
      const text = await refused.text();
      const body = refused.status === 429 ? JSON.parse(text) : text.slice(0, 200);
      expectProblem({ status: refused.status, contentType: refused.headers.get('content-type') ?? '', body }, 429, 'RATE_LIMITED');
      expect(body).toMatchObject({ limit: 'concurrent_exports_per_org' });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(await refusals(suite.server, 'concurrent_exports_per_org')).toBe(before + 1);
      // Another org is not held back.
      const elsewhere = await exportOf(other);
      expect(elsewhere.status).toBe(200);
      await elsewhere.text();
    } finally {
      holder.socket.destroy();
    }
    // The slot comes back when the connection goes, not when the export would have ended.
    let status = 0;
    for (const deadline = Date.now() + PATIENCE_MS; status !== 200 && Date.now() < deadline; ) {
      const reply = await exportOf(auditor);
      status = reply.status;
      await reply.arrayBuffer();
    }
    expect(status).toBe(200);
    // An export read to its end gives its place back too.
    const again = await exportOf(auditor);
    expect(again.status).toBe(200);
    await again.arrayBuffer();
  });

  it('holds no more of a stalled export than a page or two: the next page is read when the socket has taken the last (backpressure)', async () => {
    const answers: ServerResponse[] = [];
    const track = (request: IncomingMessage, answer: ServerResponse) => void (request.url?.endsWith('/audit-log/export') && answers.push(answer));
    const http = suite.server.app.getHttpServer() as Server;
    const store = suite.server.readModels;
    const findJson = store.findJson;
    let read = 0;
    // The store the server reads its pages from, counting the bytes they hold.
    store.findJson = async (...args) => {
      const page = await findJson.apply(store, args);
      read += page.ndjson.length;
      return page;
    };
    http.on('request', track);
    const holder = await open(suite.server);
    try {
      await exportStarted(holder, big);
      expect(answers).toHaveLength(1);
      // Read from the store and not yet taken by the socket: what the server keeps for this client.
      // Read without waiting for the socket, the whole export (16 MB and more) would be within a second.
      let held = 0;
      for (let sample = 0; sample < 20; sample++) {
        held = Math.max(held, read - answers[0].socket!.bytesWritten);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(answers[0].writableFinished).toBe(false);
      expect(held).toBeLessThan(4 * 1024 * 1024);
    } finally {
      store.findJson = findJson;
      http.off('request', track);
      holder.socket.destroy();
    }
  });

  it('keeps no read transaction open for a stalled export: the log goes on taking writes and its WAL stays bounded (checkpoints run)', async () => {
    const writer = await suite.journey.createOrg('carol');
    const holder = await open(suite.server);
    const wal = () => statSync(join(suite.server.dataDir, 'events.sqlite-wal')).size;
    try {
      await exportStarted(holder, big);
      // About 4 MiB of events written while the export waits, in commits of about 0.5 MiB: a reader
      // pinning its snapshot would keep every one of them in the WAL (13.5 MiB with their indexes, 27 for twice as many).
      for (let batch = 0; batch < 8; batch++) await growOrg(suite.server, writer, 1000, batch * 1000);
      expect(wal()).toBeLessThan(WAL_BOUND_BYTES);
    } finally {
      holder.socket.destroy();
    }
  });
});

/** One agent's exports: however many it opens and however slowly it reads them, the rest of its org can still export. */
describe('concurrent exports of one agent', () => {
  // The default CONCURRENT_EXPORTS_PER_ORG (2) and CONNECTION_TIMEOUT_MS (60 s): stalled exports hold their places throughout the test.
  const suite = bigOrgServer();
  let big: TestAgent;

  beforeAll(async () => {
    big = await bigOrgAdmin(suite.server);
  });

  it('refuses an agent a second export under way with a 429 problem (concurrent_exports_per_agent) counted on /metrics, and leaves the org\'s other place to its auditor', async () => {
    const auditor = await suite.journey.addAgent(big, 'audrey', 'AUDITOR');
    const before = await refusals(suite.server, 'concurrent_exports_per_agent');
    const holders = [await open(suite.server), await open(suite.server)];
    try {
      await exportStarted(holders[0], big);
      // The same agent's second export, on another connection: refused at once, its connection kept.
      holders[1].socket.write(`GET /v1/orgs/${big.orgId}/audit-log/export HTTP/1.1\r\nHost: ztkeys\r\nAuthorization: Bearer ${big.token}\r\n\r\n`);
      for (const deadline = Date.now() + PATIENCE_MS; !holders[1].received().includes('\r\n\r\n') && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(holders[1].received().split('\r\n')[0]).toBe('HTTP/1.1 429 Too Many Requests');
      expect(holders[1].received()).toMatch(/\r\nretry-after: [1-9]/i);
      expect(holders[1].received()).toContain('"limit":"concurrent_exports_per_agent"');
      expect(await refusals(suite.server, 'concurrent_exports_per_agent')).toBe(before + 1);
      // The org's other place is the auditor's.
      const audited = await fetch(`${suite.server.url}/v1/orgs/${big.orgId}/audit-log/export`, { headers: { authorization: `Bearer ${auditor.token}` } });
      expect(audited.status).toBe(200);
      expect((await audited.text()).length).toBeGreaterThan(EXPORT_BYTES);
    } finally {
      for (const holder of holders) holder.socket.destroy();
    }
  });

  /** The agent's export, read to its end: the status, once the server has let go of the places it held (it sees a closed connection a moment after the client). */
  async function exportOnceFree(agent: TestAgent): Promise<number> {
    let status = 429;
    for (const deadline = Date.now() + PATIENCE_MS; status === 429 && Date.now() < deadline; ) {
      const reply = await fetch(`${suite.server.url}/v1/orgs/${agent.orgId}/audit-log/export`, { headers: { authorization: `Bearer ${agent.token}` } });
      status = reply.status;
      await reply.arrayBuffer();
      if (status === 429) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return status;
  }

  it('gives the places of exports their clients abort back, whenever they abort (before the answer, in its first bytes)', async () => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const aborted = await open(suite.server);
      aborted.socket.write(`GET /v1/orgs/${big.orgId}/audit-log/export HTTP/1.1\r\nHost: ztkeys\r\nAuthorization: Bearer ${big.token}\r\n\r\n`);
      // Gone at once (before the server has checked the caller), or once the answer has begun.
      if (attempt % 2 === 1) await new Promise((resolve) => aborted.socket.once('data', resolve));
      aborted.socket.destroy();
    }
    expect(await exportOnceFree(big)).toBe(200);
  });

  it('gives the places of an export whose store fails mid-stream back, cuts the answer short (never a whole-looking one), and goes on serving', async () => {
    const store = suite.server.readModels;
    const findJson = store.findJson;
    let pages = 0;
    store.findJson = async (...args) => {
      if (++pages === 3) throw new Error('the store went away');
      return findJson.apply(store, args);
    };
    try {
      const cut = await fetch(`${suite.server.url}/v1/orgs/${big.orgId}/audit-log/export`, { headers: { authorization: `Bearer ${big.token}` } });
      expect(cut.status).toBe(200);
      // A chunked answer ended without its last chunk: the client knows it is not the whole export.
      await expect(cut.text()).rejects.toThrow();
    } finally {
      store.findJson = findJson;
    }
    expect(await exportOnceFree(big)).toBe(200);
  });
});

/** The org's budget of heavy reads is its admitted readers': an agent refused for its own exports under way spends none of it. */
describe('exports refused by the agent\'s own bound', () => {
  const suite = bigOrgServer({ RATE_LIMIT_HEAVY_READS_PER_ORG: '3/3600' });
  let big: TestAgent;

  beforeAll(async () => {
    big = await bigOrgAdmin(suite.server);
  });

  it('spends none of the org\'s heavy reads on exports refused with concurrent_exports_per_agent', async () => {
    const auditor = await suite.journey.addAgent(big, 'audrey', 'AUDITOR');
    const exportOf = (agent: TestAgent) => fetch(`${suite.server.url}/v1/orgs/${agent.orgId}/audit-log/export`, { headers: { authorization: `Bearer ${agent.token}` } });
    const holder = await open(suite.server);
    try {
      await exportStarted(holder, big);
      for (let retry = 0; retry < 2; retry++) {
        const refused = await exportOf(big);
        expect(refused.status).toBe(429);
        expect(await refused.json()).toMatchObject({ limit: 'concurrent_exports_per_agent' });
      }
      // The org's third heavy read of the hour is the auditor's.
      const audited = await exportOf(auditor);
      const text = await audited.text();
      expect({ status: audited.status, head: text.slice(0, 100) }).toEqual({ status: 200, head: expect.stringMatching(/^\{"eventId":/) });
    } finally {
      holder.socket.destroy();
    }
  });
});

/** Connections held open by clients that send nothing (each for up to REQUEST_TIMEOUT_MS): so many, and then none. */
describe('open connections', () => {
  const suite = serverForSuite({ MAX_CONNECTIONS: '5' });

  it('drops a connection past MAX_CONNECTIONS at once, counted on /metrics, and takes them again once the others are gone', async () => {
    const held: Connection[] = [];
    try {
      for (let i = 0; i < 5; i++) held.push(await open(suite.server));
      const dropped = await open(suite.server);
      expect(await dropped.closedWithin(PATIENCE_MS)).toBe(true);
      expect(dropped.received()).toBe('');
    } finally {
      for (const connection of held) connection.socket.destroy();
    }
    // The server sees the held connections go after the client does: ask until it answers.
    let metrics: Reply = { status: 0, contentType: '', body: '' };
    for (const deadline = Date.now() + PATIENCE_MS; metrics.status === 0 && Date.now() < deadline; ) metrics = await rawCall(suite.server, 'GET /metrics HTTP/1.1\r\nHost: ztkeys\r\n');
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatch(/^ztkeys_connections_dropped_total [1-9]/m);
  });
});
