import canonicalize from 'canonicalize';
import { randomUUID } from 'node:crypto';
import { EXIT } from '../../src/cli/exit-codes';
import { CLI_BUILT, runProcess } from './support/cli-process';
import { standInApi, type StandInApi } from './support/stand-in-api';

jest.setTimeout(60_000);

const LIFETIME_MS = 300_000;

/** The members a KEY_REQUEST statement of bob's binds, issued now. */
const keyRequestFields = (publicKey: string, now: number): Record<string, unknown> => ({
  orgId: 'org-1',
  agentId: 'bob',
  purpose: 'KEY_REQUEST',
  publicKey,
  nonce: randomUUID(),
  issuedAt: new Date(now).toISOString(),
  expiresAt: new Date(now + LIFETIME_MS).toISOString(),
});

/**
 * A server (taken over, or a man in the middle on plain HTTP) answers `ztkeys keys create`'s
 * challenge request with a statement of its making: the built CLI must refuse to sign one that
 * binds more than it asked for, or for another time than now, and send no signature.
 */
describe('challenge statements of a hostile server', () => {
  let api: StandInApi;
  /** The statement the stand-in answers, from the public key asked for and the time. */
  let statementFor: (publicKey: string, now: number) => string;
  const posted: string[] = [];

  beforeAll(async () => {
    api = await standInApi('challenges', (request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        posted.push(`${request.method} ${request.url}`);
        if (request.url === '/v1/orgs/org-1/challenges') {
          const now = Date.now();
          response.writeHead(201, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ challengeId: 'ch-1', statement: statementFor((JSON.parse(body) as { publicKey: string }).publicKey, now), expiresAt: new Date(now + LIFETIME_MS).toISOString() }));
          return;
        }
        // A signed key request reaching the server is the failure this suite looks for.
        response.writeHead(400, { 'content-type': 'application/problem+json' });
        response.end(JSON.stringify({ title: 'Bad Request', status: 400, detail: 'stand-in' }));
      });
    });
  });
  afterAll(() => api.close());
  beforeEach(() => {
    posted.length = 0;
  });

  const keysCreate = (env: Record<string, string> = {}) =>
    runProcess(CLI_BUILT, ['keys', 'create'], { env: { PATH: process.env.PATH, ZTKEYS_HOME: api.home, ZTKEYS_PASSPHRASE: 'correct horse battery staple', ...env } });

  it.each([
    ['constructor', '"APPROVE"'],
    ['toString', '"x"'],
    ['__proto__', '{"purpose":"KEY_DECISION"}'],
    ['hasOwnProperty', 'true'],
  ])('refuses to sign a statement that also binds %s, named like a member every object inherits (exit 5)', async (name, value) => {
    // As JSON text: an object literal with __proto__ would set a prototype, not hold a member. JSON.parse makes it an own member; canonicalize writes it back.
    statementFor = (publicKey, now) => canonicalize(JSON.parse(JSON.stringify(keyRequestFields(publicKey, now)).replace(/}$/, `,${JSON.stringify(name)}:${value}}`)))!;
    const result = await keysCreate();
    expect(posted).toEqual(['POST /v1/orgs/org-1/challenges']);
    expect(result).toMatchObject({
      code: EXIT.CHECK_FAILED,
      stderr: expect.stringContaining(`Refusing to sign the server's KEY_REQUEST challenge:\n  - it also binds ${name}, which this signature is not for`),
    });
  });

  it.each([
    ['without a zone, 14 hours ahead in UTC: now as Kiritimati reads it', (at: number) => new Date(at + 14 * 3_600_000).toISOString().replace('Z', '')],
    ['with an offset', (at: number) => new Date(at).toISOString().replace('Z', '+00:00')],
    ['in another form Date reads', (at: number) => new Date(at).toUTCString()],
  ])('refuses to sign a statement whose times are written otherwise than the log writes them (%s): every reader must read one instant (exit 5)', async (_case, written) => {
    statementFor = (publicKey, now) => canonicalize({ ...keyRequestFields(publicKey, now), issuedAt: written(now), expiresAt: written(now + LIFETIME_MS) })!;
    const result = await keysCreate({ TZ: 'Pacific/Kiritimati' });
    expect(posted).toEqual(['POST /v1/orgs/org-1/challenges']);
    expect(result).toMatchObject({ code: EXIT.CHECK_FAILED, stderr: expect.stringContaining('  - its issuedAt or expiresAt is not a time as the log writes it (') });
  });
});
