import type { Bench } from './bench-row';
import { BenchClient, inParallel, newKey } from './support/bench-client';
import { startBenchServer } from './support/bench-server';
import { fire, type LoadRequest, type LoadResult } from './support/load';

const CONNECTIONS = 32;
const SMALL_ORG = 10;
const LARGE_ORG = 10_000;
/** Key requests timed per org size; each comes from a different agent, who requests once. */
const REQUESTS = 4_500;
const WARMUP_REQUESTS = 500;
/** Parts each org size runs in, alternating with the other's (see keyRequestsBench). */
const SLICES = 4;
/** The larger org must reach this share of the smaller one's rate (issue 2, item 10). */
const REQUIRED_RATIO = 0.8;

/** Orgs of `size` agents (the admin holding the first key, the rest members) until there are `requests` members. */
export async function orgsOf(client: BenchClient, size: number, requests: number, name: string): Promise<LoadRequest[]> {
  const membersPerOrg = size - 1;
  const orgs = Math.ceil(requests / membersPerOrg);
  const perOrg = await inParallel(Array.from({ length: orgs }), 8, async (_, org) => {
    const admin = await client.orgWithFirstKey(`${name} ${org}`);
    const ids = Array.from({ length: membersPerOrg }, (__, i) => `member-${i}`);
    const members = await client.seedMembers(admin, ids);
    // Each member requests once, with a new key, over a challenge issued and signed now.
    return inParallel(members.slice(0, requests - org * membersPerOrg), 16, (member) => client.keyRequest(member, newKey()));
  });
  return perOrg.flat();
}

/** The median rate of the parts: a burst of another process on the shared machine then spoils one part, not the figure. */
export function rateOf(runs: LoadResult[]): number {
  const rates = runs.map((run) => run.perSecond).sort((a, b) => a - b);
  const middle = rates.length >> 1;
  return rates.length % 2 === 1 ? rates[middle] : (rates[middle - 1] + rates[middle]) / 2;
}

/**
 * Key requests (each left PENDING: the org's first key is already granted) in orgs of 10 agents
 * and in one org of 10,000, all in one app. Each runs in SLICES parts, in the order small, large,
 * large, small, small, large...: the machine is shared, and a drift during the run then weighs on
 * both alike. Each figure is the median of its parts.
 */
export const keyRequestsBench: Bench = async () => {
  const server = await startBenchServer();
  try {
    const client = new BenchClient(server);
    const warmup = await orgsOf(client, SMALL_ORG, WARMUP_REQUESTS, 'Warm-up');
    const prepared = { small: await orgsOf(client, SMALL_ORG, REQUESTS, 'Small'), large: await orgsOf(client, LARGE_ORG, REQUESTS, 'Large') };
    const runs: Record<keyof typeof prepared, LoadResult[]> = { small: [], large: [] };
    const run = (requests: LoadRequest[]) => fire({ url: server.url, connections: CONNECTIONS, requests });
    await run(warmup);
    const slice = REQUESTS / SLICES;
    for (let i = 0; i < 2 * SLICES; i++) {
      const size = ((i + 1) >> 1) % 2 === 0 ? 'small' : 'large';
      const done = runs[size].length;
      runs[size].push(await run(prepared[size].slice(done * slice, (done + 1) * slice)));
    }
    const smallRate = rateOf(runs.small);
    const largeRate = rateOf(runs.large);
    const verdict = largeRate >= REQUIRED_RATIO * smallRate ? 'PASS' : 'FAIL';
    const smallOrgs = Math.ceil(REQUESTS / (SMALL_ORG - 1));
    return [
      {
        name: `key-request commands, orgs of ${SMALL_ORG} agents (${smallOrgs} orgs, ${REQUESTS} requests, ${CONNECTIONS} connections)`,
        value: Math.round(smallRate),
        unit: 'req/s',
      },
      {
        name: `key-request commands, one org of ${LARGE_ORG.toLocaleString('en-US')} agents (${REQUESTS} requests): ${verdict}, needs ≥ ${REQUIRED_RATIO} × orgs of ${SMALL_ORG}`,
        value: Math.round(largeRate),
        unit: 'req/s',
        ceilingName: `key-request commands, orgs of ${SMALL_ORG} agents`,
        ceilingValue: Math.round(smallRate),
      },
    ];
  } finally {
    await server.close();
  }
};
