import { browserDecider } from '../../src/domain/browser/browser.decider';
import type { BrowserEvent } from '../../src/domain/browser/browser.events';
import { DEFAULT_ORG_POLICY } from '../../src/domain/organization/org-policy';
import { keyDecider } from '../../src/domain/signature-key/key.decider';
import { OrgReplay } from '../../src/transparency/log-replay';
import { history } from '../domain/given-when-then';
import { MINUTE, ORG, T0, actor, at, requestKey } from '../domain/key-fixtures';
import { asActiveKey, challengeFields, generateKeyPair, signedProof } from '../support/ed25519-keys';

const aliceKey = generateKeyPair();
const STREAM = `browser-${ORG}~alice~laptop`;

/** An org whose SUPER_ADMIN alice holds her first key. */
function replayWithAliceKey(): OrgReplay {
  const replay = new OrgReplay(ORG);
  replay.organization({ type: 'OrganizationCreated', data: { orgId: ORG, name: 'Acme', policy: DEFAULT_ORG_POLICY, superAdminId: 'alice' }, actor: 'operator', occurredAt: T0 });
  replay.organization({ type: 'AgentAdded', data: { agentId: 'alice', email: 'alice@example.com', displayName: 'Alice', role: 'SUPER_ADMIN' }, actor: 'operator', occurredAt: T0 });
  for (const event of history(keyDecider, [requestKey(actor('alice', 'SUPER_ADMIN'), aliceKey, { requestId: 'a1', firstKeyAssigned: false })])) {
    replay.key('alice', { ...event, actor: 'alice', occurredAt: T0 });
  }
  return replay;
}

/** A signed sensitive task of alice's on a challenge issued and used at `issuedAt`, as the browser decider records it. */
function task(issuedAt: string): BrowserEvent {
  const proof = signedProof(aliceKey, challengeFields({ purpose: 'SENSITIVE_TASK', orgId: ORG, agentId: 'alice', browserId: 'laptop', task: 'deploy', issuedAt }));
  const command = { type: 'AuthorizeSensitiveTask' as const, orgId: ORG, agentId: 'alice', browserId: 'laptop', role: 'SUPER_ADMIN' as const, task: 'deploy', activeKey: asActiveKey(aliceKey, 'a1'), proof, now: issuedAt };
  return history(browserDecider, [command])[0];
}

/** Recorded at its signing time, as the server records a signature. */
const play = (replay: OrgReplay, event: BrowserEvent) => () =>
  replay.browser(STREAM, 'alice', 'laptop', { ...event, actor: 'alice', occurredAt: event.type === 'SensitiveTaskAuthorized' && event.data.method === 'SIGNATURE' ? event.data.signedAt : T0 });

describe('offline replay of one-time challenges (R17)', () => {
  it('reports a statement replayed while its challenge is alive, by its nonce', () => {
    const replay = replayWithAliceKey();
    const first = task(at(0));
    expect(play(replay, first)).not.toThrow();
    expect(play(replay, task(at(MINUTE)))).not.toThrow();
    expect(play(replay, first)).toThrow(/This challenge was already used/);
  });

  it('reports a statement replayed after the stream forgot its nonce, by the horizon', () => {
    const replay = replayWithAliceKey();
    const first = task(at(0));
    expect(play(replay, first)).not.toThrow();
    // A challenge issued 8 minutes later moves the horizon past the first one (TTL 5 + skew 2 minutes).
    expect(play(replay, task(at(8 * MINUTE)))).not.toThrow();
    expect(play(replay, first)).toThrow(/more than its lifetime plus the tolerated clock skew before the latest challenge used here/);
  });
});
