import type { BrowserEvent } from '../domain/browser/browser.events';
import type { OrganizationEvent } from '../domain/organization/organization.events';
import { roleOf } from '../domain/organization/organization.state';
import type { PublicKeyEvent } from '../domain/public-key/public-key.events';
import type { RecoveryEvent } from '../domain/recovery/recovery.events';
import type { KeyEvent } from '../domain/signature-key/key.events';
import { BrowserReplay } from './replay/browser-replay';
import { KeyReplay } from './replay/key-replay';
import { OrganizationReplay } from './replay/organization-replay';
import { PublicKeyReplay } from './replay/public-key-replay';
import { RecoveryReplay } from './replay/recovery-replay';
import { ReplayedOrg, type KeyApproval } from './replay/replayed-org';
import type { Decoded } from './replay/replayed-event';

/**
 * One org's events replayed through the deciders' own evolve, in log order, checking every signed
 * statement against the state at that point: who held which role and which ACTIVE key. Pure; it
 * throws a LogViolation at the first statement the write side should never have let through.
 * Each stream's events go to their aggregate's replay (replay/), which all read the org as
 * replayed so far (ReplayedOrg).
 */
export class OrgReplay {
  private readonly replayed: ReplayedOrg;
  private readonly organizationReplay: OrganizationReplay;
  private readonly keyReplay: KeyReplay;
  private readonly recoveryReplay: RecoveryReplay;
  private readonly publicKeyReplay: PublicKeyReplay;
  private readonly browserReplay: BrowserReplay;

  constructor(readonly orgId: string) {
    this.replayed = new ReplayedOrg(orgId);
    this.organizationReplay = new OrganizationReplay(this.replayed);
    this.recoveryReplay = new RecoveryReplay(this.replayed);
    this.keyReplay = new KeyReplay(this.replayed, this.recoveryReplay);
    this.publicKeyReplay = new PublicKeyReplay(this.replayed);
    this.browserReplay = new BrowserReplay(this.replayed);
  }

  organization(event: Decoded<OrganizationEvent>): void {
    this.organizationReplay.replay(event);
  }

  key(agentId: string, event: Decoded<KeyEvent>): void {
    this.keyReplay.replay(agentId, event);
  }

  recovery(event: Decoded<RecoveryEvent>): void {
    this.recoveryReplay.replay(event);
  }

  publicKey(stream: string, fingerprint: string, event: Decoded<PublicKeyEvent>): void {
    this.publicKeyReplay.replay(stream, fingerprint, event);
  }

  browser(stream: string, agentId: string, browserId: string, event: Decoded<BrowserEvent>): void {
    this.browserReplay.replay(stream, agentId, browserId, event);
  }

  /** The keys ACTIVE now, each with its approval chain back to the org's first key. */
  activeKeys(): { agentId: string; role: string | undefined; chain: KeyApproval[] }[] {
    const result: { agentId: string; role: string | undefined; chain: KeyApproval[] }[] = [];
    for (const [agentId, state] of this.replayed.keys) {
      if (!state.active) continue;
      const chain: KeyApproval[] = [];
      for (let link = this.replayed.approvals.get(state.active.fingerprint); link; link = link.signedWith ? this.replayed.approvals.get(link.signedWith) : undefined) {
        chain.push(link);
        if (link.mode === 'FIRST_KEY' || chain.length > this.replayed.approvals.size) break;
      }
      result.push({ agentId, role: roleOf(this.replayed.org, agentId), chain });
    }
    return result.sort((a, b) => a.agentId.localeCompare(b.agentId));
  }

  /** Fingerprint of the org's FIRST_KEY, once approved. */
  get firstKeyFingerprint(): string | undefined {
    return this.replayed.firstKey;
  }
}
