import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { signerFromSeed, verifierKeyText } from '../../src/transparency/signed-note';
import { call } from '../support/api-client';
import { serverForSuite } from '../support/server-for-suite';
import { WitnessProcess } from '../witness/support/witness-process';
import { parseScrape, unexportedReads, type Scrape } from './support/promql-reads';
import { ROOT } from './support/server-process';

interface AlertRules {
  groups: { name: string; rules: { alert: string; expr: string; labels: { severity: string }; annotations: { summary: string; description?: string } }[] }[];
}

/** ops/alerts.yml and ops/grafana-dashboard.json read only metrics the service exports: the server's, and the shared witness's (`npm run witness`). */
describe('the shipped alert rules and dashboard', () => {
  const suite = serverForSuite();
  const witnessDir = mkdtempSync(join(tmpdir(), 'ztkeys-alerts-witness-'));
  let scrape: Scrape;
  beforeAll(async () => {
    const witness = WitnessProcess.spawn({ WITNESS_DATA_DIR: witnessDir, WITNESS_LOG_KEYS: verifierKeyText(signerFromSeed('ztkeys.test/audit-log', Buffer.alloc(32, 7))) });
    let witnessText: string;
    try {
      witnessText = await (await fetch(`${(await witness.listening()).url}/metrics`)).text();
    } finally {
      await witness.stop();
    }
    scrape = parseScrape((await call<string>(suite.server, 'GET', '/metrics')).body + witnessText);
  });
  afterAll(() => rmSync(witnessDir, { recursive: true, force: true }));

  it('alert rules parse as YAML, each with an expression on exported metrics, a severity and a summary', () => {
    const rules = load(readFileSync(join(ROOT, 'ops/alerts.yml'), 'utf8')) as AlertRules;
    const all = rules.groups.flatMap((group) => group.rules);
    expect(all.length).toBeGreaterThanOrEqual(5);
    for (const rule of all) {
      expect(rule.alert).toMatch(/^Ztkeys[A-Za-z]+$/);
      expect(['page', 'ticket']).toContain(rule.labels.severity);
      expect(rule.annotations.summary).toBeTruthy();
      expect({ alert: rule.alert, unexported: unexportedReads(rule.expr, scrape) }).toEqual({ alert: rule.alert, unexported: [] });
    }
  });

  it('an email given up (refused for good or out of attempts, kept in the failed jobs) raises an alert of its own, even while other emails are sent', () => {
    const rules = (load(readFileSync(join(ROOT, 'ops/alerts.yml'), 'utf8')) as AlertRules).groups.flatMap((group) => group.rules);
    const givenUp = rules.filter((rule) => rule.expr.includes('ztkeys_emails_given_up_total'));
    // The counter, not the failed jobs' gauge: `npm run emails -- retry` lowers that, and a retry hides a new failure.
    expect(givenUp.map((rule) => ({ alert: rule.alert, expr: rule.expr, readsSent: rule.expr.includes('ztkeys_emails_sent_total') }))).toEqual([
      { alert: 'ZtkeysEmailGivenUp', expr: expect.stringMatching(/^sum\(increase\(ztkeys_emails_given_up_total\[1h\]\)\) > 0$/), readsSent: false },
    ]);
    expect(rules.filter((rule) => rule.expr.includes('ztkeys_email_queue_jobs{state="failed"}'))).toEqual([]);
    // What the operator does next: send them again once the cause is fixed, or drop those that can never be sent.
    for (const command of ['npm run emails -- failed', 'npm run emails -- retry', 'npm run emails -- discard']) {
      expect({ command, named: givenUp[0].annotations.description?.includes(command) }).toEqual({ command, named: true });
    }
  });

  // What the operator reads next, and does: the lines that name what waits, and the release that must run.
  it.each([
    {
      what: 'a follower of the log stalled at an event a newer release wrote (read models, Merkle nodes: they skip none) pages once a rolling upgrade would have finished',
      metric: 'ztkeys_log_follower_stalled',
      rule: { alert: 'ZtkeysLogFollowerStalled', expr: 'max by (instance, follower) (ztkeys_log_follower_stalled) > 0', for: '10m', severity: 'page' },
      steps: ['stalled at position N', '/health/ready', 'run that release'],
    },
    {
      what: 'email jobs older workers keep handing back for a newer release (the upgrade stalled) open a ticket after an hour',
      metric: 'ztkeys_email_jobs_for_newer_release_total',
      rule: { alert: 'ZtkeysEmailJobsForNewerRelease', expr: 'sum(increase(ztkeys_email_jobs_for_newer_release_total[15m])) > 0', for: '1h', severity: 'ticket' },
      steps: ['written by a newer ztkeys release', 'npm run worker', 'of the newer release'],
    },
  ])('$what, saying what to run', ({ metric, rule: expected, steps }) => {
    const rules = (load(readFileSync(join(ROOT, 'ops/alerts.yml'), 'utf8')) as AlertRules).groups.flatMap((group) => group.rules);
    const reading = rules.filter((rule) => rule.expr.includes(metric));
    expect(reading.map((rule) => ({ alert: rule.alert, expr: rule.expr, for: (rule as { for?: string }).for, severity: rule.labels.severity }))).toEqual([expected]);
    for (const step of steps) {
      expect({ step, named: reading[0].annotations.description?.includes(step) }).toEqual({ step, named: true });
    }
  });

  it('a fork the shared witness refused (or a checkpoint whose signed time goes back) pages, as does a checkpoint it refused for a retired log key (the old key signs on: it may have leaked); a proof that does not show an extension (anyone can send one) and checkpoints served with fewer cosignatures than WITNESS_QUORUM open a ticket', () => {
    const rules = (load(readFileSync(join(ROOT, 'ops/alerts.yml'), 'utf8')) as AlertRules).groups.flatMap((group) => group.rules);
    const summary = (rule: AlertRules['groups'][number]['rules'][number]) => ({ alert: rule.alert, expr: rule.expr, severity: rule.labels.severity });
    expect(rules.filter((rule) => rule.expr.includes('ztkeys_witness_add_checkpoint_total')).map(summary)).toEqual([
      { alert: 'ZtkeysWitnessRefusedFork', expr: 'sum by (instance) (increase(ztkeys_witness_add_checkpoint_total{result=~"forked|backdated"}[1h])) > 0', severity: 'page' },
      { alert: 'ZtkeysWitnessInconsistentProofs', expr: 'sum by (instance) (increase(ztkeys_witness_add_checkpoint_total{result="inconsistent"}[1h])) > 0', severity: 'ticket' },
      { alert: 'ZtkeysWitnessRetiredLogKey', expr: 'sum by (instance) (increase(ztkeys_witness_add_checkpoint_total{result="retired_key"}[1h])) > 0', severity: 'page' },
    ]);
    expect(rules.filter((rule) => rule.expr.includes('ztkeys_witness_checkpoints_below_quorum_total')).map(summary)).toEqual([
      { alert: 'ZtkeysCheckpointsBelowWitnessQuorum', expr: 'sum(increase(ztkeys_witness_checkpoints_below_quorum_total[15m])) > 0', severity: 'ticket' },
    ]);
    const fork = rules.find((rule) => rule.alert === 'ZtkeysWitnessRefusedFork')!;
    // What the operator does next: the proof kept by the witness.
    expect(fork.annotations.description).toContain('npm run witness -- forks');
    // Who holds the old key: a copy left running on it, or whoever it leaked to.
    const retired = rules.find((rule) => rule.alert === 'ZtkeysWitnessRetiredLogKey')!;
    for (const step of ['LOG_SIGNING_KEY', 'Rotating the log key']) expect({ step, named: retired.annotations.description?.includes(step) }).toEqual({ step, named: true });
  });

  it('every dashboard panel queries exported series, labels and values; the witness\'s metrics, the server\'s submissions to witnesses, its own check of the log and its followers\' stalls among them', () => {
    const dashboard = JSON.parse(readFileSync(join(ROOT, 'ops/grafana-dashboard.json'), 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };
    for (const panel of dashboard.panels) {
      expect({ panel: panel.title, targets: panel.targets.length > 0 }).toEqual({ panel: panel.title, targets: true });
      for (const target of panel.targets) expect({ panel: panel.title, unexported: unexportedReads(target.expr, scrape) }).toEqual({ panel: panel.title, unexported: [] });
    }
    const read = dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr)).join('\n');
    const shown = [
      ...['ztkeys_witness_add_checkpoint_total', 'ztkeys_witness_origins', 'ztkeys_witness_submissions_total', 'ztkeys_witness_checkpoints_below_quorum_total'],
      // What the alerts on the log and its followers read, shown over time beside them.
      ...['ztkeys_audit_log_tampering_detected_total', 'ztkeys_audit_log_newer_release_events', 'ztkeys_log_follower_stalled', 'ztkeys_email_notifier_parked_events', 'ztkeys_email_jobs_for_newer_release_total'],
    ];
    for (const metric of shown) {
      expect({ metric, panel: read.includes(metric) }).toEqual({ metric, panel: true });
    }
  });

  it('the check refuses what the scrape does not export: a name of any prefix, a suffix its type lacks, a label or a value no series shows, no series at all', () => {
    expect(
      [
        'rate(process_cpu_second_total[$__rate_interval])',
        'ztkeys_witness_origins_count',
        'sum(rate(ztkeys_witness_add_checkpoint_total{result="forkd"}[$__rate_interval]))',
        'sum(rate(ztkeys_witness_add_checkpoint_total{outcome=~"forked"}[5m]))',
        'sum by (outcome) (rate(ztkeys_witness_add_checkpoint_total[$__rate_interval]))',
        'vector(1)',
      ].map((expr) => unexportedReads(expr, scrape)),
    ).toEqual([
      ['process_cpu_second_total: no such series'],
      ['ztkeys_witness_origins_count: no such series'],
      ['ztkeys_witness_add_checkpoint_total: no result="forkd"'],
      ['ztkeys_witness_add_checkpoint_total: no label outcome'],
      ['by (outcome): no series read carries it'],
      ['reads no series'],
    ]);
  });
});
