import type { DomainEvent } from '../shared/domain-event';

/**
 * R18: a public key of the org was claimed by the agent who first proved possession of it, in the
 * same commit as their KeyRequested. The claim is never released: the key belongs to that agent in
 * this org for good, so no other agent ever registers it, revoked or not.
 */
export type PublicKeyClaimed = DomainEvent<'PublicKeyClaimed', { fingerprint: string; agentId: string; requestId: string }>;

export type PublicKeyEvent = PublicKeyClaimed;
