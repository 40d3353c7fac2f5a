/// <reference lib="dom" />
import { join } from 'node:path';
import type { Browser, Page, Route } from 'playwright-core';
import { challengeRequestBody } from '../../src/domain/shared/statement-binding';
import { generateKeyPair, signStatement } from '../../src/cli/signature-key';
import { consoleBuilt } from '../../src/http/console-static';
import { verifierKeyText } from '../../src/transparency/signed-note';
import { startTestServer, type TestServer } from '../support/test-server';
import { LOG_SIGNER, SyntheticExport } from '../transparency/support/synthetic-export';
import { freshAuditScreen } from './audit-screen';
import { accessibilityViolations, chromiumBeside } from './browser';

/**
 * "Verify the audit log" in Chromium: the CLI's AuditVerifier, bundled into the console, checks
 * the org's real export against the real log key; a log edited on its way is refused at its first
 * bad line; the checkpoint verified last is kept, and the next export must extend it. A large
 * export is verified off the page's thread: the page draws and answers meanwhile, shows how far
 * it got, and can cancel.
 */
jest.setTimeout(180_000);

const SCREENSHOTS = join(__dirname, '../../docs/console');

describe('web console: audit verification (Chromium)', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let orgId: string;
  let token: string;
  let firstSize: number;

  const api = async (method: string, path: string, body?: object): Promise<Record<string, string>> => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token ?? server.bootstrapToken}`, 'content-type': 'application/json' },
      body: body && JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response.json() as Promise<Record<string, string>>;
  };
  const checkpointed = async () => {
    for (let attempt = 0; attempt < 100; attempt++) {
      const exported = await (await fetch(`${server.url}/v1/orgs/${orgId}/audit-log/export`, { headers: { authorization: `Bearer ${token}` } })).text();
      const lines = exported.trim().split('\n');
      if (JSON.parse(lines[lines.length - 1]).type === 'CheckpointSigned') return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('no checkpoint was signed');
  };
  const verify = async () => {
    await page.getByRole('button', { name: 'Verify the audit log' }).click();
    const verdict = page.getByTestId('audit-verdict');
    await verdict.waitFor();
    return (await verdict.textContent())!;
  };

  beforeAll(async () => {
    if (!consoleBuilt()) throw new Error('The web console is not built: run `npm run build` first (npm test does).');
    browser = await chromiumBeside(async () => {
      server = await startTestServer({ LOG_CHECKPOINT_DELAY_MS: '50' });
      ({ orgId } = await api('POST', '/v1/orgs', { name: 'Acme', superAdmin: { agentId: 'alice', email: 'alice@acme.test', displayName: 'Alice Admin' } }));
      token = await server.token(orgId, 'alice');
      const key = await generateKeyPair();
      const challenge = await api('POST', `/v1/orgs/${orgId}/challenges`, challengeRequestBody({ purpose: 'KEY_REQUEST', publicKey: key.publicKey }));
      await api('POST', `/v1/orgs/${orgId}/key-requests`, { publicKey: key.publicKey, challengeId: challenge.challengeId, signature: await signStatement(key, challenge.statement) });
      await checkpointed();
    });
    page = await freshAuditScreen(browser, server.url, token);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('verifies the export: events up to a signed checkpoint, and the ACTIVE keys with their approval chain', async () => {
    const [, events, size] = /^Verified: (\d+) events, up to checkpoint (\d+) signed at \d{4}-\d\d-\d\dT/.exec(await verify()) ?? [];
    expect(size).toBe(events);
    firstSize = Number(size);
    await page.getByRole('row', { name: /alice SUPER_ADMIN .* alice \(first key\)/ }).waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, '10-audit-verified.png'), fullPage: true });
  });

  it('refuses an export edited on its way at its first bad line, and keeps nothing from it', async () => {
    await page.route('**/audit-log/export', async (route) => {
      const response = await route.fetch();
      const lines = (await response.text()).trim().split('\n');
      const second = JSON.parse(lines[1]) as { occurredAt: string };
      lines[1] = JSON.stringify({ ...second, occurredAt: '2020-01-01T00:00:00.000Z' });
      await route.fulfill({ response, body: `${lines.join('\n')}\n` });
    });
    expect(await verify()).toMatch(/^The audit log is INVALID or TAMPERED\. First problem at line \d+ .* Nothing in it is verified\.$/);
    await page.screenshot({ path: join(SCREENSHOTS, '11-audit-tampered.png'), fullPage: true });
    await page.unroute('**/audit-log/export');
  });

  it('says how far an export that fails was verified, as the CLI does: what an auditor may still rely on', async () => {
    await page.route('**/audit-log/export', async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, body: `${(await response.text()).trim()}\nnot json\n` });
    });
    const [, events, size] =
      /First problem at line \d+: the line is not JSON Verified before it: the first (\d+) events of org \S+ \(signed by its checkpoint of size (\d+) on line \d+\)\. Nothing after them is\.$/.exec(await verify()) ?? [];
    expect(Number(events)).toBeGreaterThanOrEqual(firstSize);
    expect(size).toBe(events);
    await page.unroute('**/audit-log/export');
  });

  it('refuses a line longer than any export record, as the CLI does, even one JSON reads as a genuine record', async () => {
    // 2 MiB of white space inside a genuine record: JSON.parse and the leaf (canonical JSON) read past it, the 1 MiB line cap does not.
    await page.route('**/audit-log/export', async (route) => {
      const response = await route.fetch();
      const lines = (await response.text()).trim().split('\n');
      lines[1] = lines[1].replace('{', `{${' '.repeat(2 << 20)}`);
      await route.fulfill({ response, body: `${lines.join('\n')}\n` });
    });
    expect(await verify()).toBe('The audit log is INVALID or TAMPERED. First problem at line 2: the line holds more than 1048576 characters: no export record is that long Nothing in it is verified.');
    await page.unroute('**/audit-log/export');
  });

  /** Serves the export with one more event of the org's stream after its last line, dated a second after it. */
  const appendToOrgStream = (event: { eventId: string; type: string; subject: string | null; data: Record<string, unknown> }) =>
    page.route('**/audit-log/export', async (route) => {
      const response = await route.fetch();
      const lines = (await response.text()).trim().split('\n');
      const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      const org = records.filter((record) => String(record.stream).startsWith('org-')).at(-1)!;
      const last = records.at(-1)!;
      const appended = { ...org, ...event, position: Number(last.position) + 1, revision: Number(org.revision) + 1, occurredAt: new Date(Date.parse(String(last.occurredAt)) + 1000).toISOString() };
      await route.fulfill({ response, body: `${[...lines, JSON.stringify(appended)].join('\n')}\n` });
    });

  it('does not call verified an event no checkpoint signs: a promotion appended on its way after the last checkpoint', async () => {
    await appendToOrgStream({
      eventId: '0193c3a0-0000-7000-8000-00000000f00d',
      type: 'AgentAdded',
      subject: 'mallory',
      data: { agentId: 'mallory', email: 'mallory@acme.test', displayName: 'Mallory', role: 'SUPER_ADMIN' },
    });
    expect(await verify()).toMatch(
      new RegExp(`^Verified up to checkpoint ${firstSize} signed at [^,]+, NOT past it: 1 event after it is signed by no checkpoint yet, so nothing vouches for what it says\\. Verify again in a few seconds, once the server has signed it\\.$`),
    );
    expect(await page.getByTestId('audit-verdict').getAttribute('class')).toBe('warn');
    await page.unroute('**/audit-log/export');
  });

  it("says, as the CLI does, that an export holding a newer release's event cannot be verified by this release: neither verified nor tampered", async () => {
    // A type a newer release added to the org's stream.
    await appendToOrgStream({ eventId: '0193c3a0-0000-7000-8000-00000000beef', type: 'OrgRenamed', subject: null, data: { name: 'Acme Corp' } });
    expect(await verify()).toMatch(
      new RegExp(
        "^The audit log CANNOT BE VERIFIED by this release of ztkeys: it holds events a newer ztkeys wrote; verify it with that release's ztkeys\\. " +
          `The first is at line \\d+ \\(OrgRenamed 0193c3a0-0000-7000-8000-00000000beef, event index \\d+ of org ${orgId}\\): OrgRenamed v1, which this release cannot read \\(a type it does not know\\); no tampering was found .* ` +
          `Verified before it: the first ${firstSize} events of org ${orgId} \\(signed by its checkpoint of size ${firstSize} on line \\d+\\)\\. Nothing after them is\\.$`,
      ),
    );
    await page.unroute('**/audit-log/export');
  });

  it('checks the next export extends the checkpoint it verified before, and refuses a log key that changed', async () => {
    await api('POST', `/v1/orgs/${orgId}/agents`, { agentId: 'bob', email: 'bob@acme.test', displayName: 'Bob', role: 'MEMBER' });
    await checkpointed();
    const [, size] = /^Verified: \d+ events, up to checkpoint (\d+) /.exec(await verify()) ?? [];
    expect(Number(size)).toBeGreaterThan(firstSize);
    await page.getByTestId('audit-witness').filter({ hasText: `Extends the checkpoint of size ${firstSize} ` }).waitFor();

    await page.route('**/v1/log-key', (route) => route.fulfill({ contentType: 'text/plain', body: 'other.example/log+01020304+AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB\n' }));
    expect(await verify()).toMatch(/^The server’s log key is now other\.example\/log\+01020304\+.*do not trust this log\.$/);
  });

  describe('a large export (10,000 and 50,000 events), verified off the page\'s thread', () => {
    let large: Page;
    let exported: string;
    /** Served only while a test cancels a verification under way: it is still under way after an accessibility check and a screenshot. */
    let longer: string;
    const serveLonger = (route: Route) => route.fulfill({ contentType: 'application/x-ndjson', body: longer });

    beforeAll(async () => {
      // Genuine signed logs of the signed-in org, served in place of its export under the synthetic log key. The one
      // verified to its verdict holds 10,000 events: some 60 chunks of 64 KiB, each a progress message, over many frames.
      exported = new SyntheticExport(undefined, orgId).directoryChanges(10_000).checkpoint().text();
      // Cancelled midway, never verified to its end: its 50,000 events need no roots (hashing them took the test
      // longer than the browser's verification it serves), and it ends with a checkpoint of a size whose root is known.
      longer = new SyntheticExport(undefined, orgId).directoryChanges(50_000, false).checkpoint(2).text();
      large = await freshAuditScreen(browser, server.url, token);
      await large.route('**/audit-log/export', (route) => route.fulfill({ contentType: 'application/x-ndjson', body: exported }));
      await large.route('**/v1/log-key', (route) => route.fulfill({ contentType: 'text/plain', body: `${verifierKeyText(LOG_SIGNER)}\n` }));
    });

    afterAll(() => large?.context().close());

    /** Whether the page has an intermediate progress (started, not done) of the audit verification. */
    const midway = () =>
      large.waitForFunction(() => {
        const progress = document.querySelector<HTMLProgressElement>('progress[data-testid="audit-progress"]');
        return progress !== null && progress.value > 0 && progress.value < progress.max;
      });

    /**
     * From now on, in the page, in the order seen: each animation frame, each progress value shown
     * ("progress 5/9", "... second" on a second read), the verdict.
     */
    const watch = () =>
      large.evaluate(() => {
        const page = window as unknown as { seen?: string[] };
        if (page.seen) return void (page.seen.length = 0);
        const seen: string[] = (page.seen = []);
        const frame = () => (seen.push('frame'), requestAnimationFrame(frame));
        requestAnimationFrame(frame);
        new MutationObserver(() => {
          const progress = document.querySelector<HTMLProgressElement>('progress[data-testid="audit-progress"]');
          const shown = progress && `progress ${progress.value}/${progress.max}${progress.parentElement!.textContent!.includes('second read') ? ' second' : ''}`;
          if (shown && seen.at(-1) !== shown) seen.push(shown);
          if (document.querySelector('[data-testid="audit-verdict"]') && !seen.includes('verdict')) seen.push('verdict');
        }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
      });
    const seenInPage = () => large.evaluate(() => (window as unknown as { seen: string[] }).seen);

    it('runs in a worker while the page keeps drawing frames and shows the lines checked so far, then shows the verdict as before', async () => {
      await watch();
      // Each worker the page starts: its script's address, and the promise of its end.
      const workers: { url: string; ended: Promise<unknown> }[] = [];
      large.on('worker', (worker) => workers.push({ url: worker.url(), ended: new Promise((resolve) => worker.once('close', resolve)) }));
      await large.getByRole('button', { name: 'Verify the audit log' }).click();
      const verdict = large.getByTestId('audit-verdict');
      await verdict.waitFor({ timeout: 150_000 });
      expect(await verdict.textContent()).toMatch(/^Verified: 10002 events, up to checkpoint 10002 signed at 2026-12-01T00:00:10\.002Z\.$/);

      const seen = await seenInPage();
      const lines = exported.split('\n').length - 1;
      const progress = seen.flatMap((entry, at) => {
        const [, done, total] = /^progress (\d+)\/(\d+)$/.exec(entry) ?? [];
        return done ? [{ at, done: Number(done), total: Number(total) }] : [];
      });
      expect(progress.length).toBeGreaterThan(0);
      expect(progress.every(({ total }) => total === lines)).toBe(true);
      const midways = progress.filter(({ done }) => done > 0 && done < lines);
      // Two values shown midway, each in a frame of its own, all before the verdict: the page drew while the log was checked.
      const drawnApart = midways.some((first, i) => midways.slice(i + 1).some((later) => later.done > first.done && seen.slice(first.at, later.at).includes('frame')));
      expect(drawnApart).toBe(true);
      expect(midways.every(({ at }) => at < seen.indexOf('verdict'))).toBe(true);
      expect(progress.map(({ done }) => done)).toEqual([...progress.map(({ done }) => done)].sort((a, b) => a - b));
      // One worker did it, a script file of the console's own (the CSP allows no other), and ended with its verdict.
      expect(workers.map(({ url }) => url)).toEqual([expect.stringMatching(new RegExp(`^${server.url}/console/assets/[\\w.-]+\\.js$`))]);
      expect((await fetch(`${server.url}/console/`)).headers.get('content-security-policy')).toMatch(/; worker-src 'self'; /);
      await Promise.all(workers.map(({ ended }) => ended));
      large.removeAllListeners('worker');
    });

    it('cancels a verification under way: the worker ends, no verdict is shown and nothing is kept; verifying again gives the verdict', async () => {
      await large.evaluate(() => localStorage.clear());
      await large.route('**/audit-log/export', serveLonger);
      const started = large.waitForEvent('worker');
      await large.getByRole('button', { name: 'Verify the audit log' }).click();
      const worker = await started;
      const ended = new Promise((resolve) => worker.once('close', resolve));
      await midway();
      expect(await accessibilityViolations(large)).toEqual([]);
      await large.screenshot({ path: join(SCREENSHOTS, '12-audit-verifying.png'), fullPage: true });
      await large.getByRole('button', { name: 'Cancel the verification' }).click();
      await ended;
      await large.getByText('Verification cancelled: nothing was verified, and this browser keeps nothing from it.').waitFor();
      // The Cancel button is gone: the focus is on what came of it.
      expect(await large.evaluate(() => document.activeElement?.textContent)).toBe('Verification cancelled: nothing was verified, and this browser keeps nothing from it.');
      expect(await large.getByTestId('audit-verdict').count()).toBe(0);
      expect(await large.getByTestId('audit-progress').count()).toBe(0);
      expect(await large.evaluate(() => Object.keys(localStorage).filter((name) => name.startsWith('ztkeys.auditWitness.')))).toEqual([]);
      expect(await large.getByRole('button', { name: 'Verify the audit log' }).isEnabled()).toBe(true);

      await large.unroute('**/audit-log/export', serveLonger);
      await large.getByRole('button', { name: 'Verify the audit log' }).click();
      const verdict = large.getByTestId('audit-verdict');
      await verdict.waitFor({ timeout: 150_000 });
      expect(await verdict.textContent()).toMatch(/^Verified: 10002 events, up to checkpoint 10002 /);
    });

    it('ends the worker when another screen is opened during the verification, and keeps nothing', async () => {
      await large.evaluate(() => localStorage.clear());
      await large.route('**/audit-log/export', serveLonger);
      const started = large.waitForEvent('worker');
      await large.getByRole('button', { name: 'Verify the audit log' }).click();
      const ended = new Promise((resolve) => void started.then((worker) => worker.once('close', resolve)));
      await midway();
      await large.getByRole('navigation').getByRole('link', { name: 'My key', exact: true }).click();
      await ended;
      expect(await large.evaluate(() => Object.keys(localStorage).filter((name) => name.startsWith('ztkeys.auditWitness.')))).toEqual([]);
      await large.getByRole('navigation').getByRole('link', { name: 'Audit log', exact: true }).click();
      await large.getByRole('button', { name: 'Verify the audit log' }).waitFor();
      await large.unroute('**/audit-log/export', serveLonger);
    });

    it('reads the export a second time when a checkpoint lands far behind its events, as the CLI does, and says so', async () => {
      // A checkpoint of size 2 signed after 21,000 more events: past twice the verifier's window of 10,000 leaves
      // (DEFAULT_PENDING_WINDOW) it folded those leaves away, so it reads the file again.
      const behind = new SyntheticExport(undefined, orgId).directoryChanges(21_000).checkpoint(2).checkpoint().text();
      const serve = (route: Route) => route.fulfill({ contentType: 'application/x-ndjson', body: behind });
      await large.route('**/audit-log/export', serve);
      await large.evaluate(() => localStorage.clear());
      await watch();
      await large.getByRole('button', { name: 'Verify the audit log' }).click();
      const verdict = large.getByTestId('audit-verdict');
      await verdict.waitFor({ timeout: 150_000 });
      expect(await verdict.textContent()).toMatch(/^Verified: 21002 events, up to checkpoint 21002 /);
      const seen = await seenInPage();
      expect(seen.findIndex((entry) => / second$/.test(entry))).toBeGreaterThan(seen.findIndex((entry) => entry === `progress 21004/21004`));
      expect(seen.findIndex((entry) => / second$/.test(entry))).toBeLessThan(seen.indexOf('verdict'));
      await large.unroute('**/audit-log/export', serve);
    });

    it('cancels while the export is still downloading: the download is aborted, no verdict is shown and nothing is kept', async () => {
      await large.evaluate(() => localStorage.clear());
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      // The export is answered only once the page cancelled.
      const hold = async (route: Route) => (await held, route.fulfill({ contentType: 'application/x-ndjson', body: exported }));
      await large.route('**/audit-log/export', hold);
      const failed = large.waitForEvent('requestfailed', (request) => request.url().endsWith('/audit-log/export'));
      await large.getByRole('button', { name: 'Verify the audit log' }).click();
      await large.getByText('Downloading the export…').waitFor();
      await large.getByRole('button', { name: 'Cancel the verification' }).click();
      await large.getByText('Verification cancelled: nothing was verified, and this browser keeps nothing from it.').waitFor();
      expect((await failed).failure()?.errorText).toBe('net::ERR_ABORTED');
      release();
      await large.unroute('**/audit-log/export', hold);
      expect(await large.getByTestId('audit-verdict').count()).toBe(0);
      expect(await large.evaluate(() => Object.keys(localStorage).filter((name) => name.startsWith('ztkeys.auditWitness.')))).toEqual([]);
    });
  });
});
