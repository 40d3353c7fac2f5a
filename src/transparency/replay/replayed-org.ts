import { organizationDecider } from '../../domain/organization/organization.decider';
import type { OrganizationEvent } from '../../domain/organization/organization.events';
import { initialOrganizationState, type OrganizationState } from '../../domain/organization/organization.state';
import { recoveryDecider } from '../../domain/recovery/recovery.decider';
import type { RecoveryEvent } from '../../domain/recovery/recovery.events';
import { initialRecoveryState, type RecoveryState } from '../../domain/recovery/recovery.state';
import type { ActiveKey } from '../../domain/shared/actor';
import { keyDecider } from '../../domain/signature-key/key.decider';
import type { ApprovalMode, KeyEvent, KeyReleaseReason } from '../../domain/signature-key/key.events';
import { initialKeyState, type KeyState } from '../../domain/signature-key/key.state';
import { violation } from './log-violation';

/**
 * The org as replayed up to the event at hand, which every aggregate's replay reads: the states
 * the others check against (the directory and policy, the keys, the recoveries), each folded by
 * its decider's own evolve, and what one aggregate's events hand on to another's checks.
 */
export class ReplayedOrg {
  // Read by every replay, changed only through the methods below, each called by one replay:
  // the file that owns the change.
  private orgState: OrganizationState = initialOrganizationState;
  private readonly keyStates = new Map<string, KeyState>();
  private recoveryState: RecoveryState = initialRecoveryState;
  private readonly approvalLinks = new Map<string, KeyApproval>();
  private firstKeyFingerprint: string | undefined;
  private readonly releases = new Map<string, { actorId: string; reason: KeyReleaseReason }>();
  /** R9, R18: the release the last directory change decided, as many events of it as the org's next events must be. */
  private owedRelease: { agentId: string; left: number } | undefined;
  private readonly endedRecoveries = new Map<string, string>();

  constructor(readonly orgId: string) {}

  get org(): OrganizationState {
    return this.orgState;
  }

  get keys(): ReadonlyMap<string, KeyState> {
    return this.keyStates;
  }

  get recoveries(): RecoveryState {
    return this.recoveryState;
  }

  /** Per approved key's fingerprint, its link of an approval chain. */
  get approvals(): ReadonlyMap<string, KeyApproval> {
    return this.approvalLinks;
  }

  get firstKey(): string | undefined {
    return this.firstKeyFingerprint;
  }

  /** R9, R18: per agent, the directory change that released their keys (removed, made an AUDITOR) and its actor, while it stands. */
  get released(): ReadonlyMap<string, { actorId: string; reason: KeyReleaseReason }> {
    return this.releases;
  }

  /** R20: the recoveries whose agent stopped being a SUPER_ADMIN while they ran, which ended them, each with the actor of the directory change that did. */
  get ended(): ReadonlyMap<string, string> {
    return this.endedRecoveries;
  }

  /** OrganizationReplay's: the org's own event, folded. */
  foldOrganization(event: OrganizationEvent): void {
    this.orgState = organizationDecider.evolve(this.orgState, event);
  }

  /** KeyReplay's: an event of `agentId`'s key stream, folded. */
  foldKey(agentId: string, event: KeyEvent): void {
    this.keyStates.set(agentId, keyDecider.evolve(this.keyStates.get(agentId) ?? initialKeyState, event));
  }

  /** RecoveryReplay's: a recovery event, folded. */
  foldRecovery(event: RecoveryEvent): void {
    this.recoveryState = recoveryDecider.evolve(this.recoveryState, event);
  }

  /** KeyDecisions': a key approved, a link of the approval chains (R4: a FIRST_KEY approval is the org's first key). */
  approve(approval: KeyApproval): void {
    if (approval.mode === 'FIRST_KEY') this.firstKeyFingerprint = approval.fingerprint;
    this.approvalLinks.set(approval.fingerprint, approval);
  }

  /**
   * OrganizationReplay's: a directory change released `agentId`'s keys, by `actorId`, for `reason`,
   * in `owed` events of its commit right after it (settleRelease).
   */
  releaseKeys(agentId: string, actorId: string, reason: KeyReleaseReason, owed: number): void {
    this.releases.set(agentId, { actorId, reason });
    if (owed > 0) this.owedRelease = { agentId, left: owed };
  }

  /** OrganizationReplay's: a directory change that releases none of `agentId`'s keys ends the release that stood. */
  keepKeys(agentId: string): void {
    this.releases.delete(agentId);
  }

  /** OrganizationReplay's: a directory change by `actorId` ended the running recovery `recoveryId` (R20). */
  endRecovery(recoveryId: string, actorId: string): void {
    this.endedRecoveries.set(recoveryId, actorId);
  }

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
