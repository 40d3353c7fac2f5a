import fc from 'fast-check';
import { DEFAULT_ORG_POLICY } from '../../src/domain/organization/org-policy';
import { AuditVerifier } from '../../src/transparency/audit-verifier';
import { CHECKPOINT_SIGNED } from '../../src/transparency/log-checkpointer';
import { parseVerifierKey } from '../../src/transparency/signed-note';
import type { TestKeyPair } from '../support/ed25519-keys';
import { call, type Reply, type TestAgent } from '../support/api-client';
import { serverForSuite } from '../support/server-for-suite';

jest.setTimeout(300_000);

const ROLES = ['MEMBER', 'ADMIN', 'SUPER_ADMIN', 'AUDITOR'] as const;
const wrongCode = (code: string): string => code.slice(0, -1) + String((Number(code.slice(-1)) + 1) % 10);

/** One command of a random history: who does it, to whom, with which variant. Many are refused, as in life. */
const step = fc.record({
  kind: fc.constantFrom('request', 'approve', 'wrong-code', 'reject', 'revoke', 'role', 'frequency', 'task', 'policy'),
  actor: fc.nat(3),
  target: fc.nat(3),
  variant: fc.nat(3),
});
type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;
/** A history: groups of steps, each group sent at once (concurrently). */
const history = fc.array(fc.array(step, { minLength: 1, maxLength: 3 }), { minLength: 3, maxLength: 8 });

describe('every export of a random command history verifies (R16)', () => {
  const suite = serverForSuite({ LOG_CHECKPOINT_DELAY_MS: '50' });

  it('holds for random histories, concurrent commands included', async () => {
    const vkey = parseVerifierKey((await call(suite.server, 'GET', '/v1/log-key')).body as string);
    await fc.assert(
      fc.asyncProperty(history, async (groups) => {
        const alice = await suite.journey.createOrg('alice');
        await suite.journey.requestKey(alice);
        const agents: TestAgent[] = [alice];
        for (const [i, role] of ['ADMIN', 'MEMBER', 'ADMIN'].entries()) agents.push(await suite.journey.addAgent(alice, `agent${i}`, role));
        const pending = new Map<string, { requestId: string; code: string; key: TestKeyPair }>();
        const run = async ({ kind, actor, target, variant }: Step): Promise<Reply | undefined> => {
          const [who, whom] = [agents[actor], agents[target]];
          const request = pending.get(whom.agentId);
          switch (kind) {
            case 'request': {
              const reply = (await suite.journey.requestKey(who, { replacePending: variant > 1 })) as Reply & { key: TestKeyPair };
              if (reply.status === 201 && reply.body.status === 'PENDING') pending.set(who.agentId, { requestId: reply.body.requestId, code: reply.body.verificationCode, key: reply.key });
              return reply;
            }
            case 'approve':
            case 'wrong-code': {
              if (!request || !who.key) return undefined;
              const reply = await suite.journey.decide(who, request.requestId, 'APPROVE', { verificationCode: kind === 'approve' ? request.code : wrongCode(request.code) });
              // R20 M-of-N: an approval below the threshold leaves the request PENDING.
              if (reply.status === 200 && reply.body.status === 'APPROVED') whom.key = request.key;
              return reply;
            }
            case 'reject':
              return request && who.key ? suite.journey.decide(who, request.requestId, 'REJECT') : undefined;
            case 'revoke':
              return suite.journey.revokeKey(who, whom.agentId);
            case 'role':
              return whom === alice ? undefined : suite.journey.changeRole(alice, whom.agentId, ROLES[variant]);
            case 'frequency':
              return who.key ? suite.journey.setPromptFrequency(who, `browser${variant % 2}`, variant > 1 ? 'DAILY' : 'WEEKLY') : undefined;
            case 'task':
              return suite.journey.sensitiveTask(who, `browser${variant % 2}`, 'deploy', variant > 0 ? who.key : undefined);
            case 'policy':
              // R20: thresholds of 1 to 3 (capped by the approvers who can sign); only a SUPER_ADMIN with a key gets through.
              return who.key ? suite.journey.setPolicy(who, { ...DEFAULT_ORG_POLICY, memberKeyApprovals: 1 + (variant % 3), adminKeyApprovals: 1 + (target % 3) }) : undefined;
          }
        };
        // A challenge refused with a 4xx (an AUDITOR signs nothing, R18) is an outcome of the history, not a failure.
        const attempt = (step: Step) =>
          run(step).catch((error: unknown) => {
            if (error instanceof Error && /^challenge: 4\d\d /.test(error.message)) return undefined;
            throw error;
          });
        for (const group of groups) {
          const replies = await Promise.all(group.map(attempt));
          for (const reply of replies) if (reply && reply.status >= 500) throw new Error(`${reply.status} ${JSON.stringify(reply.body)}`);
        }

        // Wait for a checkpoint of the whole history, then verify the export as an auditor would.
        for (const deadline = Date.now() + 20_000; ; await new Promise((resolve) => setTimeout(resolve, 50))) {
          const exported = String((await call(suite.server, 'GET', `/v1/orgs/${alice.orgId}/audit-log/export`, alice.token)).body);
          const lines = exported.trim().split('\n');
          const records = lines.map((line) => JSON.parse(line) as { type: string; data: { size?: number } });
          const last = records.at(-1)!;
          if (last.type !== CHECKPOINT_SIGNED || last.data.size !== records.filter((record) => record.type !== CHECKPOINT_SIGNED).length) {
            if (Date.now() > deadline) throw new Error('no checkpoint of the whole history');
            continue;
          }
          // Any checkpoint kept from an earlier look, each signed while concurrent commands were appended, dates every event on both sides of it (event-times.ts).
          const notes = records.flatMap((record) => (record.type === CHECKPOINT_SIGNED ? [(record.data as { note: string }).note] : []));
          for (const trustedCheckpoint of [undefined, ...notes]) {
            const verifier = new AuditVerifier({ logKey: vkey, ...(trustedCheckpoint !== undefined && { trustedCheckpoint }) });
            for (const line of lines) verifier.push(line);
            const verdict = verifier.finish();
            if (!verdict.ok) throw new Error(`${JSON.stringify(verdict.failure)}\n${trustedCheckpoint ?? ''}\n${exported}`);
            expect(verdict.orgs[0].uncovered).toBe(0);
          }
          return;
        }
      }),
      { numRuns: 6 },
    );
  });
});
