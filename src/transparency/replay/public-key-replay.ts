import { publicKeyDecider } from '../../domain/public-key/public-key.decider';
import type { PublicKeyEvent } from '../../domain/public-key/public-key.events';
import type { PublicKeyState } from '../../domain/public-key/public-key.state';
import { asDecided } from './as-decided';
import { violation } from './log-violation';
import type { ReplayedOrg } from './replayed-org';
import type { Decoded } from './replayed-event';

/** The public-key streams of one org, replayed: who claimed which key. */
export class PublicKeyReplay {
  private readonly claims = new Map<string, PublicKeyState>();

  constructor(private readonly replayed: ReplayedOrg) {}

  /**
   * R18: a public key is claimed in the commit of the request that first asked for it, just after
   * it: of that agent's request of that key, as the public-key decider decides it (once: a key
   * belongs to one agent, and its holder asking again claims nothing).
   */
  replay(stream: string, fingerprint: string, event: Decoded<PublicKeyEvent>): void {
    this.replayed.settleRelease(event);
    const before = this.claims.get(stream) ?? publicKeyDecider.initialState;
    const { agentId, requestId } = event.data;
    if (event.data.fingerprint !== fingerprint) violation(`${event.type} in ${stream} claims key ${event.data.fingerprint}`);
    if (this.replayed.keys.get(agentId)?.requests.get(requestId)?.fingerprint !== fingerprint) violation(`key ${fingerprint} is claimed by request ${requestId} of "${agentId}", which is no request of that key`);
    asDecided(event, `the claim of key ${fingerprint} by "${agentId}"`, () => publicKeyDecider.decide({ type: 'ClaimPublicKey', fingerprint, agentId, requestId }, before).events);
    this.claims.set(stream, publicKeyDecider.evolve(before, event));
  }
}
