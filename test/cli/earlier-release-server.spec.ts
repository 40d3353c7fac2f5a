import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OPENAPI_DOCUMENT_FILE } from '../../src/cli/api-answers';
import { EXIT } from '../../src/cli/exit-codes';
import { LATER_MEMBERS } from '../../src/cli/later-members';
import { runInHome } from './support/run-in-home';
import { standInApi, type StandInApi } from './support/stand-in-api';

/*
 * This release's CLI against a server of the release of 2026-12-01 (8f13e1b), as in a rolling
 * upgrade. The answers are that server's own, recorded from it as it served them (fixtures/
 * release-2026-12-01: its /docs-json; for an org where bob's key request waits, its pending list,
 * that request by id, its policy, its log key, checkpoint, export and audit-log answers); a plain HTTP server
 * answers them here. It stands in for the old build,
 * which a test cannot run cheaply (a checkout and a build of an old commit each run).
 */
const fixtures = join(__dirname, 'fixtures', 'release-2026-12-01');
const recorded = (file: string): Record<string, unknown> => JSON.parse(readFileSync(join(fixtures, file), 'utf8')) as Record<string, unknown>;
const recordedText = (file: string): string => readFileSync(join(fixtures, file), 'utf8');
const ORG = '01a2429e-8120-71c0-8495-8b7e64ec9d37';
const REQUEST = '01a2429e-aeb4-72c0-b10c-6022ec79caaf.Ym9i';
const CODE = '778-636-640-041-753';

describe('this CLI against a server of the release of 2026-12-01', () => {
  let api: StandInApi;
  let home: string;
  /** What the server answers, by path and query, else by path: a JSON body, or an answer of its own. */
  let answers: Record<string, unknown>;
  const text = (status: number, contentType: string, body: string) => ({ answer: { status, contentType, body } });

  beforeAll(async () => {
    api = await standInApi('earlier', (request, response) => {
      const found = (answers[request.url!] ?? answers[request.url!.split('?')[0]]) as { answer?: { status: number; contentType: string; body: string } } | undefined;
      const { status, contentType, body } = found?.answer ?? (found ? { status: 200, contentType: 'application/json; charset=utf-8', body: JSON.stringify(found) } : { status: 404, contentType: 'application/problem+json', body: '{"title":"Not Found","status":404,"code":"NOT_FOUND"}' });
      response.writeHead(status, { 'content-type': contentType });
      response.end(body);
    }, { orgId: ORG, agentId: 'alice' });
    home = api.home;
  });
  afterAll(() => api.close());
  beforeEach(() => {
    answers = {
      [`/v1/orgs/${ORG}/key-requests`]: recorded('pending-key-requests.json'),
      [`/v1/orgs/${ORG}/key-requests/${REQUEST}`]: recorded('key-request.json'),
      '/v1/log-key': text(200, 'text/plain; charset=utf-8', recordedText('log-key.txt')),
      [`/v1/orgs/${ORG}/audit-log/checkpoint`]: text(200, 'text/plain; charset=utf-8', recordedText('checkpoint.txt')),
      [`/v1/orgs/${ORG}/policy`]: recorded('policy.json'),
      [`/v1/orgs/${ORG}/audit-log?limit=1`]: recorded('audit-log-first.json'),
      [`/v1/orgs/${ORG}/audit-log?limit=1&after=17`]: text(400, 'application/problem+json; charset=utf-8', recordedText('audit-log-after.problem.json')),
      [`/v1/orgs/${ORG}/audit-log/inclusion`]: text(400, 'application/problem+json; charset=utf-8', recordedText('inclusion-by-event-id.problem.json')),
    };
  });

  it('lists the pending requests, the expiry and the name that release does not answer shown as unknown', async () => {
    const table = await runInHome(home, ['keys', 'pending']);
    expect(table).toMatchObject({ code: EXIT.OK, stderr: '' });
    expect(table.stdout).toMatch(new RegExp(`^${REQUEST.replace('.', '\\.')} +bob +62fb6a1b2f9071f1… +- +${CODE} +2026-12-04T19:53:45\\.396Z +- +0 +0/1\n?$`, 'm'));

    const json = await runInHome(home, ['keys', 'pending', '--json']);
    expect(json.code).toBe(EXIT.OK);
    const [item] = (JSON.parse(json.stdout) as { items: Record<string, unknown>[] }).items;
    expect(item).toMatchObject({ requestId: REQUEST, verificationCode: CODE, verified: true, approvalsRequired: 1 });
    expect(item).not.toHaveProperty('expiresAt');
  });

  it('shows a request to decide without the members that release does not answer, and goes on to sign', async () => {
    const approve = await runInHome(home, ['keys', 'approve', REQUEST, '--code', CODE]);
    expect(approve.stdout).toMatch(/requester +bob \(Bob Member <bob@acme\.test>\)\n/);
    expect(approve.stdout).toMatch(/expires at +unknown \(this server does not say: a release before 2026-12-04\)\n/);
    expect(approve.stdout).toMatch(/replaces +unknown \(this server does not say: a release before 2026-12-06\)\n/);
    expect(approve.stdout).toContain(`verification code  ${CODE}`);
    // Past the review: the next step is alice's key, which this machine does not hold.
    expect({ code: approve.code, stderr: approve.stderr }).toEqual({ code: EXIT.USAGE, stderr: expect.stringMatching(/No signature key of alice on this machine/) });
  });

  it('still refuses an answer whose members are malformed, and one lacking a member that release answers', async () => {
    const pending = recorded('pending-key-requests.json') as { items: Record<string, unknown>[] };
    answers[`/v1/orgs/${ORG}/key-requests`] = { items: [{ ...pending.items[0], expiresAt: 'next week' }] };
    expect(await runInHome(home, ['keys', 'pending'])).toMatchObject({ code: EXIT.SERVER, stderr: expect.stringMatching(/items\.0\.expiresAt: must match format "date-time"/) });

    const { verificationCode: _, ...withoutCode } = pending.items[0];
    answers[`/v1/orgs/${ORG}/key-requests`] = { items: [withoutCode] };
    expect(await runInHome(home, ['keys', 'pending'])).toMatchObject({ code: EXIT.SERVER, stderr: expect.stringMatching(/items\.0\.verificationCode: is missing/) });

    answers[`/v1/orgs/${ORG}/key-requests/${REQUEST}`] = { ...recorded('key-request.json'), approvalsRequired: 'one' };
    expect(await runInHome(home, ['keys', 'approve', REQUEST, '--code', CODE])).toMatchObject({ code: EXIT.SERVER, stderr: expect.stringMatching(/approvalsRequired: must be number/) });
  });

  it('says the server is too old for a command that needs what that release does not know: a proof by event id, what follows a position', async () => {
    const tooOld = (name: string) =>
      new RegExp(`\\nThe server does not know ${name}, which this command sends: it is of an earlier release than this ztkeys\\. Upgrade the server, or use a ztkeys of its release\\.\\n$`);
    const record = join(home, 'record.json');
    writeFileSync(record, recordedText('export.ndjson').split('\n')[4]);
    expect(await runInHome(home, ['audit', 'prove', record])).toMatchObject({ code: EXIT.REFUSED, stderr: expect.stringMatching(tooOld('eventId')) });

    const file = join(home, 'audit.ndjson');
    copyFileSync(join(fixtures, 'export.ndjson'), file);
    expect(await runInHome(home, ['audit', 'export', '--append', file])).toMatchObject({ code: EXIT.REFUSED, stderr: expect.stringMatching(tooOld('after')) });
    expect(readFileSync(file, 'utf8')).toBe(recordedText('export.ndjson'));
  });

  it('warns that a policy change cannot be guarded against a concurrent one where the server gives no policy version (ETag)', async () => {
    const set = await runInHome(home, ['policy', 'set', '--reminder-after-hours', '12']);
    expect(set.stdout).toMatch(/reminderAfterHours +12\n/);
    expect(set.stderr).toMatch(
      /^warning: The server gives no version of the policy \(no ETag: a release before 2026-12-04\), so a change another SUPER_ADMIN makes after this read is not detected: the fields you do not give are set back to what was read here\.\n/,
    );
    // Past the read: the next step is alice's key, which this machine does not hold.
    expect(set.code).toBe(EXIT.USAGE);
  });

  it('reads as optional exactly the members this release requires that the release of 2026-12-01 did not', () => {
    type Schemas = Record<string, { required?: string[] }>;
    const schemasOf = (file: string) => (JSON.parse(readFileSync(file, 'utf8')) as { components: { schemas: Schemas } }).components.schemas;
    const now = schemasOf(OPENAPI_DOCUMENT_FILE);
    const then = schemasOf(join(fixtures, 'openapi.json'));
    const added = Object.fromEntries(
      Object.entries(now)
        .map(([name, schema]) => [name, (schema.required ?? []).filter((member) => !(then[name]?.required ?? []).includes(member))] as const)
        .filter(([name, members]) => name in then && members.length > 0),
    );
    expect(LATER_MEMBERS).toEqual(added);
  });
});
