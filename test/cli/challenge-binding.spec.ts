import { challengeStatement } from '../../src/crypto/statement';
import type { ChallengeFields } from '../../src/domain/shared/signed-proof';
import { checkStatement } from '../../src/cli/challenge-binding';
import { challengeRequestBody, statementMismatches, type Binding } from '../../src/domain/shared/statement-binding';
import { EXIT } from '../../src/cli/exit-codes';

const signer = { orgId: 'org-1', agentId: 'alice' };
const REQUESTER_KEY = 'A'.repeat(43);
const OTHER_KEY = 'B'.repeat(43);
/** The signer's clock: a minute into the statements' lifetime. */
const NOW = Date.parse('2025-01-01T00:01:00.000Z');
const approveBob: Binding = { purpose: 'KEY_DECISION', requestId: 'req-bob', requesterPublicKey: REQUESTER_KEY, decision: 'APPROVE' };

/** A statement as the server issues it, with fields changed or removed. */
function statement(binding: Binding, changes: Partial<Record<keyof ChallengeFields, string | undefined>> = {}): string {
  const fields: Record<string, unknown> = {
    ...signer,
    ...binding,
    nonce: 'n-1',
    issuedAt: '2025-01-01T00:00:00.000Z',
    expiresAt: '2025-01-01T00:05:00.000Z',
    ...changes,
  };
  for (const name of Object.keys(fields)) if (fields[name] === undefined) delete fields[name];
  return challengeStatement(fields as unknown as ChallengeFields);
}

describe('challenge statement binding', () => {
  it.each<Binding>([
    { purpose: 'KEY_REQUEST', publicKey: REQUESTER_KEY },
    approveBob,
    { purpose: 'KEY_DECISION', requestId: 'req-bob', requesterPublicKey: REQUESTER_KEY, decision: 'REJECT' },
    { purpose: 'PROMPT_FREQUENCY', browserId: 'laptop', frequency: 'DAILY' },
    { purpose: 'SENSITIVE_TASK', browserId: 'laptop', task: 'remote-control' },
  ])('accepts a statement that binds exactly what was asked: $purpose', (binding) => {
    expect(statementMismatches(statement(binding), signer, binding, NOW)).toEqual([]);
    expect(() => checkStatement(statement(binding), signer, binding, NOW)).not.toThrow();
  });

  it.each([
    ['another request', { requestId: 'req-carol' }, /binds requestId "req-carol" instead of "req-bob"/],
    ["another requester's key", { requesterPublicKey: OTHER_KEY }, /binds requesterPublicKey/],
    ['the other decision', { decision: 'REJECT' }, /binds decision "REJECT" instead of "APPROVE"/],
    ['another purpose', { purpose: 'KEY_REQUEST' }, /binds purpose "KEY_REQUEST"/],
    ['another agent', { agentId: 'bob' }, /binds agentId "bob" instead of "alice"/],
    ['another org', { orgId: 'org-2' }, /binds orgId/],
    ['something more', { task: 'remote-control' }, /also binds task/],
    ['less', { requesterPublicKey: undefined }, /does not bind requesterPublicKey/],
    ['no nonce', { nonce: undefined }, /no nonce/],
    ['a lifetime of a day', { expiresAt: '2025-01-02T00:00:00.000Z' }, /not for about 5 minutes/],
    ['an end before its start', { expiresAt: '2024-12-31T23:59:00.000Z' }, /not for about 5 minutes/],
  ])('refuses to sign a decision challenge that binds %s', (_case, changes, why) => {
    const text = statement(approveBob, changes as Partial<Record<keyof ChallengeFields, string | undefined>>);
    expect(statementMismatches(text, signer, approveBob, NOW).join('\n')).toMatch(why);
    let thrown: unknown;
    try {
      checkStatement(text, signer, approveBob, NOW);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ exitCode: EXIT.CHECK_FAILED, message: expect.stringMatching(/^Refusing to sign the server's KEY_DECISION challenge/) });
  });

  it("refuses a statement whose lifetime is not now by the signer's clock: a signature the server could record at a time of its choosing", () => {
    // Issued for next year: the server would hold a decision (or a sensitive task's authorization) that verifies when it records it then.
    const later = statement(approveBob, { issuedAt: '2026-01-01T00:00:00.000Z', expiresAt: '2026-01-01T00:05:00.000Z' });
    expect(statementMismatches(later, signer, approveBob, NOW)).toEqual(['it is valid from 2026-01-01T00:00:00.000Z to 2026-01-01T00:05:00.000Z, not now (2025-01-01T00:01:00.000Z on this machine)']);
    const past = statement(approveBob, { issuedAt: '2024-12-31T23:50:00.000Z', expiresAt: '2024-12-31T23:55:00.000Z' });
    expect(statementMismatches(past, signer, approveBob, NOW)).toEqual([expect.stringMatching(/not now/)]);
    // Clocks a moment apart (within the log's own tolerance) are not refused.
    const skewed = statement(approveBob, { issuedAt: '2025-01-01T00:02:30.000Z', expiresAt: '2025-01-01T00:07:30.000Z' });
    expect(statementMismatches(skewed, signer, approveBob, NOW)).toEqual([]);
    expect(statementMismatches(statement(approveBob), signer, approveBob, Date.parse('2025-01-01T00:06:30.000Z'))).toEqual([]);
  });

  it('accepts a lifetime a moment over 5 minutes (issuedAt and expiresAt stamped apart)', () => {
    expect(statementMismatches(statement(approveBob, { expiresAt: '2025-01-01T00:05:00.001Z' }), signer, approveBob, NOW)).toEqual([]);
  });

  it('refuses a key request challenge for another key', () => {
    const binding: Binding = { purpose: 'KEY_REQUEST', publicKey: REQUESTER_KEY };
    expect(statementMismatches(statement(binding, { publicKey: OTHER_KEY }), signer, binding, NOW)).toEqual([
      `it binds publicKey "${OTHER_KEY}" instead of "${REQUESTER_KEY}"`,
    ]);
  });

  it('refuses text that is not exactly the canonical JSON it parses to (what is checked is what is signed)', () => {
    const canonical = statement(approveBob);
    expect(statementMismatches(canonical.replace(',', ', '), signer, approveBob, NOW)).toContain('it is not RFC 8785 canonical JSON');
    // A duplicated name: JSON.parse keeps the last one, another parser the first.
    const duplicated = canonical.replace('"decision":"APPROVE"', '"decision":"REJECT","decision":"APPROVE"');
    expect(statementMismatches(duplicated, signer, approveBob, NOW)).toContain('it is not RFC 8785 canonical JSON');
    expect(statementMismatches('[]', signer, approveBob, NOW)).toEqual(['it is not a JSON object']);
  });

  it("asks the server for a decision challenge without the requester's key, which the server binds itself", () => {
    expect(challengeRequestBody(approveBob)).toEqual({ purpose: 'KEY_DECISION', requestId: 'req-bob', decision: 'APPROVE' });
  });
});
