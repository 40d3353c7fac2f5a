import { initialOrganizationState, type OrganizationState } from '../../domain/organization/organization.state';
import type { ActiveKey } from '../../domain/shared/actor';
import type { ApprovalMode, KeyReleaseReason } from '../../domain/signature-key/key.events';
import type { KeyState } from '../../domain/signature-key/key.state';
import { initialRecoveryState, type RecoveryState } from '../../domain/recovery/recovery.state';
import { violation } from './log-violation';

/**
 * The org as replayed up to the event at hand, which every aggregate's replay reads: the states
 * the others check against (the directory and policy, the keys, the recoveries), each folded by
 * its decider's own evolve, and what one aggregate's events hand on to another's checks.
 */
export class ReplayedOrg {
  org: OrganizationState = initialOrganizationState;
  readonly keys = new Map<string, KeyState>();
  recoveries: RecoveryState = initialRecoveryState;
  readonly approvals = new Map<string, KeyApproval>();
  firstKey: string | undefined;
  /** R9, R18: per agent, the directory change that released their keys (removed, made an AUDITOR) and its actor, while it stands. */
  readonly released = new Map<string, { actorId: string; reason: KeyReleaseReason }>();
  /** R9, R18: the release the last directory change decided, as many events of it as the org's next events must be. */
  owedRelease: { agentId: string; left: number } | undefined;
  /** R20: the recoveries whose agent stopped being a SUPER_ADMIN while they ran, which ended them, each with the actor of the directory change that did. */
  readonly ended = new Map<string, string>();

  constructor(readonly orgId: string) {}

  /**
   * R9, R18: the release a directory change decides is written in its commit, just after it, and
   * the events of one commit are consecutive in the log (the event store's append): while one is
   * owed, the org's next event is a release of that agent's keys (KeyReplay's release() checks which).
   */
  settleRelease(event: { type: string }, releasing?: string): void {
    const owed = this.owedRelease;
    if (owed === undefined) return;
    if (releasing !== owed.agentId) {
      violation(`${event.type}: the directory change just before released the keys of "${owed.agentId}" (${owed.left} event(s) of it left), which its commit writes right after it, but the org's next event is this one`);
    }
    this.owedRelease = owed.left > 1 ? { agentId: owed.agentId, left: owed.left - 1 } : undefined;
  }

  /** The key `agentId` holds ACTIVE now, which must be the one an event says signed. */
  requireActive(agentId: string, keyFingerprint: string | undefined, what: string): ActiveKey {
    const active = this.keys.get(agentId)?.active ?? violation(`"${agentId}" ${what} with no ACTIVE key at that point`);
    if (active.fingerprint !== keyFingerprint) violation(`"${agentId}" ${what} with key ${keyFingerprint}, not their ACTIVE key ${active.fingerprint}`);
    return active;
  }
}

/** One approved key and who approved it with which key: a link of an approval chain. */
export interface KeyApproval {
  agentId: string;
  requestId: string;
  fingerprint: string;
  mode: ApprovalMode;
  /** The approver, and the fingerprint of the ACTIVE key that signed the decision (absent for FIRST_KEY and RECOVERY). */
  approvedBy?: string;
  signedWith?: string;
  occurredAt: string;
}
