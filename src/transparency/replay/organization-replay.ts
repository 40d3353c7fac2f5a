import canonicalize from 'canonicalize';
import { fingerprint } from '../../crypto/public-key';
import { organizationDecider } from '../../domain/organization/organization.decider';
import type { OrganizationEvent, OrgPolicyChanged } from '../../domain/organization/organization.events';
import { roleOf } from '../../domain/organization/organization.state';
import { policyProblems } from '../../domain/organization/org-policy.schema';
import { runningRecovery } from '../../domain/recovery/recovery.state';
import { OPERATOR_ACTOR } from '../../domain/shared/actor';
import { keyDecider } from '../../domain/signature-key/key.decider';
import { keyReleaseFor } from '../../domain/signature-key/key-release';
import { initialKeyState } from '../../domain/signature-key/key.state';
import { asDecided } from './as-decided';
import { violation } from './log-violation';
import type { ReplayedOrg } from './replayed-org';
import type { Decoded } from './replayed-event';
import { checkStatement } from './signed-statement';

/** The org's own stream, replayed: its creation, its directory and its policy. */
export class OrganizationReplay {
  /** The SUPER_ADMIN the org was created with, whom the operator adds with it. */
  private creator: string | undefined;

  constructor(private readonly replayed: ReplayedOrg) {}

  replay(event: Decoded<OrganizationEvent>): void {
    this.replayed.settleRelease(event);
    if (event.type === 'OrganizationCreated' && event.data.orgId !== this.replayed.orgId) {
      violation(`OrganizationCreated names org "${event.data.orgId}" in the stream of org "${this.replayed.orgId}"`);
    }
    if (event.type === 'OrgPolicyChanged') this.policyChange(event);
    this.directoryChange(event);
    this.replayed.foldOrganization(event);
    const running = runningRecovery(this.replayed.recoveries);
    if (running && roleOf(this.replayed.org, running.agentId) !== 'SUPER_ADMIN' && !this.replayed.ended.has(running.recoveryId)) this.replayed.endRecovery(running.recoveryId, event.actor);
  }

  /**
   * R1: the directory is managed by a SUPER_ADMIN then: an agent added, a role changed and an agent
   * removed are the events the organization decider decides there for the event's actor (a role
   * change also on whether the agent held an ACTIVE key, R20), with the former role the state gives;
   * the org and its creator, as its SUPER_ADMIN, are added by the operator. A removal or a change
   * to AUDITOR releases the agent's keys, by that actor (release). R4: the first key is assigned to
   * the FIRST_KEY approval's request, once.
   */
  private directoryChange(event: Decoded<OrganizationEvent>): void {
    const { actor } = event;
    switch (event.type) {
      case 'AgentAdded': {
        const { agentId, email, displayName, role } = event.data;
        if (this.replayed.org.agents.size === 0) {
          // CreateOrganization's second event: decide it again on the creation it follows.
          if (actor !== OPERATOR_ACTOR || role !== 'SUPER_ADMIN' || agentId !== this.creator) {
            violation(`the org's first agent is "${agentId}" (${role}), added by "${actor}", not its creator "${this.creator}" as SUPER_ADMIN, added by the operator with the org`);
          }
          return;
        }
        asDecided(event, `"${actor}" adding "${agentId}"`, () => organizationDecider.decide({ type: 'AddAgent', actorId: actor, agent: { agentId, email, displayName }, role }, this.replayed.org).events);
        break;
      }
      case 'AgentRoleChanged': {
        const { agentId, to } = event.data;
        // Judged on the roles' thresholds (no approvals given), as every release before 2026-12-08 decided it: their logs verify.
        const agentKey = this.replayed.keys.get(agentId)?.active !== undefined ? {} : undefined;
        asDecided(event, `"${actor}" changing the role of "${agentId}"`, () =>
          organizationDecider.decide({ type: 'ChangeAgentRole', actorId: actor, agentId, role: to, agentKey }, this.replayed.org).events,
        );
        break;
      }
      case 'AgentRemoved':
        asDecided(event, `"${actor}" removing "${event.data.agentId}"`, () => organizationDecider.decide({ type: 'RemoveAgent', actorId: actor, agentId: event.data.agentId }, this.replayed.org).events);
        break;
      case 'OrganizationCreated':
        if (actor !== OPERATOR_ACTOR) violation(`org "${event.data.orgId}" was created by "${actor}", not by the operator`);
        // CreateOrganization refuses an org that exists (ORG_EXISTS): a second creation would reset its name, policy and creator.
        if (this.replayed.org.exists) violation(`org "${event.data.orgId}" is created a second time, though it exists`);
        this.creator = event.data.superAdminId;
        return;
      case 'FirstKeyAssigned': {
        // R4: in the commit of the FIRST_KEY approval, just after it, naming that request.
        const { agentId, requestId } = event.data;
        const approval = this.replayed.firstKey === undefined ? undefined : this.replayed.approvals.get(this.replayed.firstKey);
        if (approval?.agentId !== agentId || approval.requestId !== requestId) violation(`the org's first key is assigned to request ${requestId} of "${agentId}", which is not the FIRST_KEY approved`);
        asDecided(event, `the first key assigned to "${agentId}"`, () => organizationDecider.decide({ type: 'AssignFirstKey', agentId, requestId }, this.replayed.org).events);
        return;
      }
      case 'OrgPolicyChanged':
        return;
    }
    const release = keyReleaseFor(event);
    if (!release) {
      this.replayed.keepKeys(event.data.agentId);
      return;
    }
    const keys = this.replayed.keys.get(release.agentId) ?? initialKeyState;
    const owed = keyDecider.decide({ type: 'ReleaseAgentKeys', actorId: actor, reason: release.reason, now: event.occurredAt }, keys).events.length;
    this.replayed.releaseKeys(release.agentId, actor, release.reason, owed);
  }

  /**
   * R20: a policy change was signed by a SUPER_ADMIN at that point, with their ACTIVE key then,
   * over the ORG_POLICY challenge binding every field of a policy within its bounds.
   */
  private policyChange(event: Decoded<OrgPolicyChanged>): void {
    const { policy, previous, changedBy, decision } = event.data;
    if (event.actor !== changedBy) violation(`the policy change names "${changedBy}" but was recorded for "${event.actor}"`);
    const role = roleOf(this.replayed.org, changedBy);
    if (role !== 'SUPER_ADMIN') violation(`"${changedBy}" changed the org's policy as ${role ?? 'a stranger to the org'}, not as a SUPER_ADMIN`);
    const problems = policyProblems(policy);
    if (problems.length > 0) violation(`the policy set by "${changedBy}" is out of bounds: ${problems.map((problem) => `${problem.field}: ${problem.message}`).join('; ')}`);
    if (canonicalize(previous) !== canonicalize(this.replayed.org.policy)) violation('a policy change names as previous policy another than the org had at that point');
    const key = this.replayed.requireActive(changedBy, fingerprint(decision.publicKey), 'changed the org\'s policy');
    checkStatement(event, decision, { purpose: 'ORG_POLICY', orgId: this.replayed.orgId, agentId: changedBy, ...policy }, key, this.replayed.org.usedNonces);
  }
}
