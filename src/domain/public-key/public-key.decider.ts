import { PUBLIC_KEY_EVENTS } from '../events/event-catalogue';
import type { Decider } from '../shared/decider';
import { refuse } from '../shared/refusal';
import type { PublicKeyCommand } from './public-key.commands';
import type { PublicKeyEvent } from './public-key.events';
import { initialPublicKeyState, type PublicKeyState } from './public-key.state';

/**
 * R9, R18: a public key belongs to one agent of an org. The first request for it claims it; a
 * request by another agent is refused, whether the key is pending, ACTIVE, rejected or revoked, and
 * without saying whose it is. The owner asks again freely here: their own key stream refuses a key
 * of theirs that was revoked or is ACTIVE. Two agents asking at once both append at the key
 * stream's same revision: exactly one claim is recorded.
 */
export const publicKeyDecider: Decider<PublicKeyCommand, PublicKeyState, PublicKeyEvent> = {
  initialState: initialPublicKeyState,
  events: PUBLIC_KEY_EVENTS,

  decide(command, state) {
    const { fingerprint, agentId, requestId } = command;
    if (!state.claimedBy) return { events: [{ type: 'PublicKeyClaimed', data: { fingerprint, agentId, requestId } }] };
    if (state.claimedBy.agentId !== agentId) {
      refuse(
        'CONFLICT',
        'PUBLIC_KEY_TAKEN',
        'This public key is registered to another agent of this organization: a key belongs to one agent only, and a revoked key never signs again. Generate a new key pair.',
      );
    }
    return { events: [] };
  },

  evolve(state, event) {
    switch (event.type) {
      case 'PublicKeyClaimed':
        return { claimedBy: { agentId: event.data.agentId, requestId: event.data.requestId } };
    }
  },
};
