import type { Bench } from './bench-row';
import { BenchClient, inParallel, jsonRequest, newKey } from './support/bench-client';
import { startBenchServer } from './support/bench-server';
import { fire, type LoadRequest, type LoadResult } from './support/load';
import { startMinimalServer } from './support/minimal-server';
import { timeBesideMinimal, versusMinimal, WARMUP_REQUESTS } from './support/versus-minimal';

const CONNECTIONS = 32;
const SMALL_ORG = 10;
const LARGE_ORG = 10_000;
/** Key requests timed per org size; each comes from a different agent, who requests once. */
const REQUESTS = 4_500;
/** Fewer than WARMUP_REQUESTS: the parts alternate, and 3,000 changed nothing measurable here (docs/benchmarks-journal.md, "Request paths, warm-up"). */
const WARMUP_KEY_REQUESTS = 500;
/** Parts each org size runs in, alternating with the other's (see keyRequestsBench). */
const SLICES = 4;
/** The larger org must reach this share of the smaller one's rate (issue 2, item 10). */
const REQUIRED_RATIO = 0.8;
/** Approvals timed, each of another member's PENDING request, by the org's one admin. */
const APPROVALS = Number(process.env.BENCH_APPROVALS ?? 3_000);

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

/** The runs of one kind as one: all their requests over all their time, their CPU per request weighted by requests. */
function together(runs: LoadResult[]): LoadResult {
  const sum = (of: (run: LoadResult) => number) => runs.reduce((total, run) => total + of(run), 0);
  const ok = sum((run) => run.ok);
  const seconds = sum((run) => run.seconds);
  return {
    ok,
    seconds,
    perSecond: ok / seconds,
    cpuMicrosPerRequest: sum((run) => run.cpuMicrosPerRequest * run.ok) / ok,
    loadCpuMicrosPerRequest: sum((run) => run.loadCpuMicrosPerRequest * run.ok) / ok,
  };
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
    // Challenges live 5 minutes and the preparation takes minutes on a loaded machine: the
    // longest part first, the warm-up (run first) last.
    const large = await orgsOf(client, LARGE_ORG, REQUESTS, 'Large');
    const prepared = { small: await orgsOf(client, SMALL_ORG, REQUESTS, 'Small'), large };
    const warmup = await orgsOf(client, SMALL_ORG, WARMUP_KEY_REQUESTS, 'Warm-up');
    const runs: Record<keyof typeof prepared, LoadResult[]> = { small: [], large: [] };
    // Each part of orgs of 10 is sent again to the minimal handler at once (a new key parsed and its
    // signature checked), before its challenges expire: the ceiling of the server's CPU per key request.
    const minimal = await startMinimalServer({ jwtSecret: server.secrets.jwtSecret!, challengeSecret: server.secrets.challengeSecret }, new Map());
    const bare: LoadResult[] = [];
    try {
      const run = (url: string, requests: LoadRequest[]) => fire({ url, connections: CONNECTIONS, requests });
      await run(server.url, warmup);
      await run(minimal.url, warmup.map((request) => minimal.route(request, 'new-key')));
      const slice = REQUESTS / SLICES;
      for (let i = 0; i < 2 * SLICES; i++) {
        const size = ((i + 1) >> 1) % 2 === 0 ? 'small' : 'large';
        const done = runs[size].length;
        const part = prepared[size].slice(done * slice, (done + 1) * slice);
        runs[size].push(await run(server.url, part));
        if (size === 'small') bare.push(await run(minimal.url, part.map((request) => minimal.route(request, 'new-key'))));
      }
    } finally {
      await minimal.close();
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
      {
        // CPU or waiting: whether a key request in the large org does more work, or waits more (conflicts on shared streams).
        name: `key-request commands, one org of ${LARGE_ORG.toLocaleString('en-US')} agents: server CPU per request`,
        value: Math.round(together(runs.large).cpuMicrosPerRequest),
        unit: 'µs CPU/req',
        ceilingName: `orgs of ${SMALL_ORG} agents`,
        ceilingValue: Math.round(together(runs.small).cpuMicrosPerRequest),
      },
      ...versusMinimal(`key-request commands, orgs of ${SMALL_ORG} agents (all ${SLICES} parts together)`, together(runs.small), together(bare)),
    ];
  } finally {
    await server.close();
  }
};

/**
 * Approvals (R5: the verification code, and the approver's signature over a KEY_DECISION
 * challenge) of PENDING key requests of one org, each a different member's, beside the minimal
 * handler doing the same essential work on the same requests: token, challenge, the approver's
 * Ed25519 signature, a durable append.
 */
export const keyApprovalsBench: Bench = async () => {
  const server = await startBenchServer();
  try {
    const client = new BenchClient(server);
    const admin = await client.orgWithFirstKey('Approvals');
    const members = await client.seedMembers(admin, Array.from({ length: WARMUP_REQUESTS + APPROVALS }, (_, i) => `member-${i}`));
    const approvals = await inParallel(members, 16, async (member) => {
      const pending = await client.call<{ requestId: string; verificationCode: string }>(await client.keyRequest(member, newKey()), 201);
      const proof = await client.signedChallenge(admin, admin.key!, { purpose: 'KEY_DECISION', requestId: pending.requestId, decision: 'APPROVE' });
      const path = `/v1/orgs/${admin.orgId}/key-requests/${pending.requestId}/approve`;
      return jsonRequest(admin, 'POST', path, { verificationCode: pending.verificationCode, ...proof });
    });
    const minimal = await startMinimalServer(
      { jwtSecret: server.secrets.jwtSecret!, challengeSecret: server.secrets.challengeSecret },
      new Map([[`${admin.orgId}/${admin.agentId}`, admin.key!.publicKey]]),
    );
    try {
      const [warmup, timed] = [approvals.slice(0, WARMUP_REQUESTS), approvals.slice(WARMUP_REQUESTS)];
      const { app: approved, bare } = await timeBesideMinimal(server.url, minimal, 'signed', { warmup, timed, connections: CONNECTIONS });
      return versusMinimal(`key-request approvals, one admin, one org (${CONNECTIONS} connections)`, approved, bare);
    } finally {
      await minimal.close();
    }
  } finally {
    await server.close();
  }
};
