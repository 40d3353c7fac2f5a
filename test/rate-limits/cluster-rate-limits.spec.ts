/**
 * A cluster worker's rate limits, counted by the primary (cluster-rate-limits.ts): the worker's
 * line and the primary's answering, joined here by a JSON round trip, as node:cluster's IPC
 * carries them (the real IPC is test/ops/cluster-limits.spec.ts).
 */
import { RateLimiterRes } from 'rate-limiter-flexible';
import type { AppConfig } from '../../src/config/app-config';
import { answerCalls, type CallsMessage, ClusterLimiter, memoryLimiters, PrimaryLimitsLine } from '../../src/rate-limits/cluster-rate-limits';
import { FallbackLimiter } from '../../src/rate-limits/fallback-limiter';

const TIMEOUT_MS = 200;
const rates = { api_per_address: { points: 10, seconds: 60 }, challenges_per_agent: { points: 3, seconds: 60 } } as AppConfig['rateLimits'];
const overIpc = <T>(message: T): T => JSON.parse(JSON.stringify(message)) as T;

/** A worker's line to a primary that answers (or, with `silent`, never does), and the messages it sent. */
function workerAndPrimary({ silent = false } = {}) {
  const primary = memoryLimiters(rates);
  const sent: CallsMessage[] = [];
  const line = new PrimaryLimitsLine(TIMEOUT_MS, (message) => {
    sent.push(overIpc(message));
    if (!silent) void answerCalls(primary, overIpc(message)).then((answers) => line.receive(overIpc(answers)));
  });
  const own = memoryLimiters(rates);
  const limiter = (name: keyof typeof rates) => new FallbackLimiter(new ClusterLimiter(name, line), own[name]);
  return { line, sent, own, primary, limiter };
}

const outcome = (call: Promise<RateLimiterRes | null>) =>
  call.then(
    () => 'counted',
    (refusal: unknown) => (refusal instanceof RateLimiterRes && refusal.msBeforeNext > 0 ? 'refused' : `failed: ${String(refusal)}`),
  );

describe('rate limits counted by the cluster primary', () => {
  it('sends the calls of one turn in one message, and answers each as the primary counted it', async () => {
    const { sent, limiter, own, line } = workerAndPrimary();
    const api = limiter('api_per_address');
    const challenges = limiter('challenges_per_agent');
    const outcomes = await Promise.all([...Array.from({ length: 12 }, () => outcome(api.consume('203.0.113.7'))), outcome(challenges.consume('agent-1'))]);
    expect(sent).toHaveLength(1);
    expect(sent[0].calls).toHaveLength(13);
    expect(outcomes).toEqual([...Array<string>(10).fill('counted'), 'refused', 'refused', 'counted']);
    // The primary counted them all: the worker's own memory none.
    expect(await own.api_per_address.get('203.0.113.7')).toBeNull();
    expect(line.unanswered).toBe(0);
  });

  it('gives back and reads a count at the primary (reward and get, as a reservation does)', async () => {
    const { sent, limiter } = workerAndPrimary();
    const challenges = limiter('challenges_per_agent');
    await Promise.all([challenges.consume('agent-1'), challenges.consume('agent-1')]);
    await challenges.reward('agent-1');
    expect((await challenges.get('agent-1'))?.consumedPoints).toBe(1);
    expect(await challenges.get('agent-2')).toBeNull();
    expect(sent.map(({ calls }) => calls.map(([, , operation]) => operation))).toEqual([['consume', 'consume'], ['reward'], ['get'], ['get']]);
  });

  it('counts in the worker, and waits for nothing more, when the primary does not answer in time; a late answer changes nothing', async () => {
    const { sent, limiter, own, line, primary } = workerAndPrimary({ silent: true });
    const challenges = limiter('challenges_per_agent');
    const asked = Date.now();
    const outcomes = await Promise.all(Array.from({ length: 4 }, () => outcome(challenges.consume('agent-1'))));
    expect(Date.now() - asked).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
    // The worker's own count, with the limit's own points.
    expect(outcomes).toEqual(['counted', 'counted', 'counted', 'refused']);
    expect((await own.challenges_per_agent.get('agent-1'))?.consumedPoints).toBe(4);
    expect(line.unanswered).toBe(0);
    line.receive(overIpc(await answerCalls(primary, sent[0])));
    expect(line.unanswered).toBe(0);
  });

  it('ignores the messages of other channels', () => {
    const { line } = workerAndPrimary();
    expect(() => line.receive({ channel: 'ztkeys_export_places', id: 'x' })).not.toThrow();
    expect(() => line.receive('NODE_CLUSTER')).not.toThrow();
  });
});
