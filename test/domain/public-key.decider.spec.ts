import { publicKeyDecider } from '../../src/domain/public-key/public-key.decider';
import type { ClaimPublicKey } from '../../src/domain/public-key/public-key.commands';
import type { PublicKeyEvent } from '../../src/domain/public-key/public-key.events';
import { given } from './given-when-then';

const FINGERPRINT = 'ab'.repeat(32);
const claim = (agentId: string, requestId: string): ClaimPublicKey => ({ type: 'ClaimPublicKey', fingerprint: FINGERPRINT, agentId, requestId });
const claimedByBob: PublicKeyEvent[] = [{ type: 'PublicKeyClaimed', data: { fingerprint: FINGERPRINT, agentId: 'bob', requestId: 'b1' } }];
const key = (events: PublicKeyEvent[] = []) => given(publicKeyDecider, events);

describe('public key decider (R9, R18: a key belongs to one agent of an org)', () => {
  it('records the first claim of a key, with the request that made it', () => {
    key().when(claim('bob', 'b1')).thenEvents(claimedByBob);
  });

  it("refuses another agent's claim whatever became of the key, without naming its holder", () => {
    const refusal = key(claimedByBob).when(claim('carol', 'c1')).thenRefused('CONFLICT', 'PUBLIC_KEY_TAKEN');
    expect(refusal.message).not.toContain('bob');
    expect(refusal.details).toEqual({});
  });

  it("lets the owner ask again (their own key stream refuses a revoked or ACTIVE key), recording nothing new", () => {
    key(claimedByBob).when(claim('bob', 'b2')).thenEvents([]);
  });
});
