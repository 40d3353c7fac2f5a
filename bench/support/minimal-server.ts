import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import Fastify, { type FastifyInstance } from 'fastify';
import { EMBEDDED_TOKEN_AUDIENCE, EMBEDDED_TOKEN_ISSUER } from '../../src/config/app-config';
import { verifyHs256 } from '../../src/crypto/hs256-jws';
import { openSqliteFile } from '../../src/shared/sqlite-file';
import type { LoadRequest } from './load';

/** What each minimal route does beside the token check and the durable append. */
export type MinimalWork =
  /** a challenge of this server, signed under the caller's registered key */
  | 'signed'
  /** a challenge of this server, signed under the new key the body carries (parsed from its JWK) */
  | 'new-key'
  /** nothing else (a remembered authorization) */
  | 'remembered';

export interface MinimalServer {
  url: string;
  /** The same request, sent to the minimal route doing `work`. */
  route(request: LoadRequest, work: MinimalWork): LoadRequest;
  close(): Promise<void>;
}

interface Claims {
  sub?: unknown;
  org?: unknown;
  iss?: unknown;
  aud?: unknown;
  exp?: unknown;
}

interface Challenge {
  orgId: string;
  agentId: string;
  nonce: string;
  expiresAt: string;
}

const json = <T>(bytes: Buffer | undefined): T | undefined => (bytes ? (JSON.parse(bytes.toString('utf8')) as T) : undefined);

export interface MinimalServerOptions {
  /** A folder of the caller's (processes of one cluster share its database); by default one of its own, removed on close. */
  dataDir?: string;
  /** 0 (the default) for any free port. */
  port?: number;
}

/**
 * The minimal handler's log in `dataDir`, made if new (WAL, synchronous=FULL, its table). A
 * cluster's primary opens it once before it forks, as the app's prepares its stores: processes
 * switching a new file to WAL at once meet SQLITE_BUSY.
 */
export function openMinimalLog(dataDir: string): Database.Database {
  const db = openSqliteFile(join(dataDir, 'events.db'), 'FULL');
  db.exec('CREATE TABLE IF NOT EXISTS events (stream TEXT NOT NULL, revision INTEGER NOT NULL, nonce TEXT UNIQUE, data TEXT NOT NULL, PRIMARY KEY (stream, revision))');
  return db;
}

/**
 * The ceiling of a request path: a bare Fastify handler doing the same essential work as the app,
 * the way a minimal service would: the agent token (HS256, synchronous HMAC, iss/aud/exp), the
 * challenge (the server's HS256 MAC, caller and expiry), the Ed25519 signature over its statement
 * (node:crypto, keys parsed once), and a durable append (SQLite, WAL, synchronous=FULL, the
 * appends of one event-loop turn in one transaction, the nonce unique). It takes the app's own
 * requests, so both do the same work on the same bytes.
 */
export async function startMinimalServer(
  secrets: { jwtSecret: string; challengeSecret: string },
  registeredKeys: ReadonlyMap<string, string>,
  options: MinimalServerOptions = {},
): Promise<MinimalServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'ztkeys-minimal-'));
  const db = openMinimalLog(dataDir);
  // The next revision is read inside the write transaction: right when other processes append to the same file.
  const insert = db.prepare('INSERT INTO events (stream, revision, nonce, data) SELECT @stream, coalesce(max(revision) + 1, 0), @nonce, @data FROM events WHERE stream = @stream');
  let pending: Array<{ row: { stream: string; nonce: string | null; data: string }; done: (error?: Error) => void }> = [];
  const flush = () => {
    const batch = pending;
    pending = [];
    try {
      db.transaction(() => batch.forEach(({ row }) => insert.run(row))).immediate();
      batch.forEach(({ done }) => done());
    } catch (error) {
      batch.forEach(({ done }) => done(error as Error));
    }
  };
  const append = (stream: string, nonce: string | null, data: unknown) =>
    new Promise<void>((resolve, reject) => {
      if (pending.length === 0) setImmediate(flush);
      pending.push({ row: { stream, nonce, data: JSON.stringify(data) }, done: (error) => (error ? reject(error) : resolve()) });
    });

  const tokenKey = new TextEncoder().encode(secrets.jwtSecret);
  const challengeKey = new TextEncoder().encode(`ztkeys/challenge/v1:${secrets.challengeSecret}`);
  const parsedKeys = new Map<string, KeyObject>();
  const keyObject = (x: string) => {
    let key = parsedKeys.get(x);
    if (!key) parsedKeys.set(x, (key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' })));
    return key;
  };

  const app: FastifyInstance = Fastify({ logger: false });
  app.post<{ Params: { work: MinimalWork }; Body: { challengeId?: string; signature?: string; publicKey?: string; task?: string } }>(
    '/minimal/:work',
    async (request, reply) => {
      const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
      const claims = json<Claims>(verifyHs256(token, tokenKey));
      const now = Date.now();
      if (!claims || claims.iss !== EMBEDDED_TOKEN_ISSUER || claims.aud !== EMBEDDED_TOKEN_AUDIENCE || !(Number(claims.exp) * 1000 > now)) {
        return reply.code(401).send({ error: 'token' });
      }
      const caller = `${String(claims.org)}/${String(claims.sub)}`;
      const { work } = request.params;
      const body = request.body;
      let nonce: string | null = null;
      if (work !== 'remembered') {
        const statement = verifyHs256(body.challengeId ?? '', challengeKey);
        const challenge = json<Challenge>(statement);
        if (!statement || !challenge || `${challenge.orgId}/${challenge.agentId}` !== caller || Date.parse(challenge.expiresAt) <= now) {
          return reply.code(422).send({ error: 'challenge' });
        }
        const publicKey = work === 'new-key' ? body.publicKey : registeredKeys.get(caller);
        if (!publicKey || !verify(null, statement, keyObject(publicKey), Buffer.from(body.signature ?? '', 'base64url'))) {
          return reply.code(422).send({ error: 'signature' });
        }
        nonce = challenge.nonce;
      }
      await append(caller, nonce, { work, task: body.task, at: now });
      return reply.code(work === 'new-key' ? 201 : 200).send({ ok: true });
    },
  );
  await app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  const address = app.server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    route: (request, work) => ({ ...request, path: `/minimal/${work}` }),
    close: async () => {
      await app.close();
      db.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
