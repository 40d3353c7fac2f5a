import type { OrganizationCommand } from '../../src/domain/organization/organization.commands';
import { DEFAULT_ORG_POLICY } from '../../src/domain/organization/org-policy';
import { organizationDecider } from '../../src/domain/organization/organization.decider';
import type { OrganizationEvent } from '../../src/domain/organization/organization.events';
import { roleOf } from '../../src/domain/organization/organization.state';
import { fold } from '../../src/domain/shared/decider';
import type { Role } from '../../src/domain/shared/roles';
import { given, history } from './given-when-then';

const ORG = 'acme';
const agent = (agentId: string) => ({ agentId, email: `${agentId}@acme.test`, displayName: agentId.toUpperCase() });
const create: OrganizationCommand = {
  type: 'CreateOrganization',
  orgId: ORG,
  name: 'Acme',
  policy: DEFAULT_ORG_POLICY,
  superAdmin: agent('alice'),
};
const add = (agentId: string, role: Role, actorId = 'alice'): OrganizationCommand => ({ type: 'AddAgent', actorId, agent: agent(agentId), role });
const org = (...commands: OrganizationCommand[]): OrganizationEvent[] => history(organizationDecider, [create, ...commands]);
const decide = (events: OrganizationEvent[]) => given(organizationDecider, events);

describe('organization decider', () => {
  describe('CreateOrganization', () => {
    it('creates the org and its first SUPER_ADMIN', () => {
      decide([]).when(create).thenEvents([
        { type: 'OrganizationCreated', data: { orgId: ORG, name: 'Acme', policy: DEFAULT_ORG_POLICY, superAdminId: 'alice' } },
        { type: 'AgentAdded', data: { ...agent('alice'), role: 'SUPER_ADMIN' } },
      ]);
    });

    it('refuses a reserved id for its SUPER_ADMIN, in any case', () => {
      for (const agentId of ['operator', 'OPERATOR', 'system']) {
        decide([]).when({ ...create, superAdmin: agent(agentId) } as OrganizationCommand).thenRefused('UNPROCESSABLE', 'AGENT_ID_RESERVED');
      }
    });

    it('refuses to create an org twice', () => {
      decide(org()).when(create).thenRefused('CONFLICT', 'ORG_EXISTS');
    });
  });

  describe('AddAgent (R1)', () => {
    it('adds an agent with a role when a SUPER_ADMIN asks', () => {
      decide(org()).when(add('bob', 'ADMIN')).thenEvents([{ type: 'AgentAdded', data: { ...agent('bob'), role: 'ADMIN' } }]);
    });

    it('refuses an ADMIN, a MEMBER and a stranger', () => {
      const events = org(add('bob', 'ADMIN'), add('carol', 'MEMBER'));
      decide(events).when(add('dave', 'MEMBER', 'bob')).thenRefused('FORBIDDEN', 'NOT_SUPER_ADMIN');
      decide(events).when(add('dave', 'MEMBER', 'carol')).thenRefused('FORBIDDEN', 'NOT_SUPER_ADMIN');
      decide(events).when(add('dave', 'MEMBER', 'eve')).thenRefused('FORBIDDEN', 'NOT_A_MEMBER');
    });

    it('refuses a reserved id (operator, system), in any case', () => {
      for (const agentId of ['operator', 'Operator', 'system']) decide(org()).when(add(agentId, 'ADMIN')).thenRefused('UNPROCESSABLE', 'AGENT_ID_RESERVED');
    });

    it('refuses the actors the log itself records: policy (deadlines, recoveries) and log (checkpoints), in any case', () => {
      for (const agentId of ['policy', 'Policy', 'log', 'LOG']) decide(org()).when(add(agentId, 'ADMIN')).thenRefused('UNPROCESSABLE', 'AGENT_ID_RESERVED');
    });

    it('refuses an agent already in the org', () => {
      decide(org(add('bob', 'MEMBER'))).when(add('bob', 'ADMIN')).thenRefused('CONFLICT', 'AGENT_EXISTS');
    });

    it('refuses an id that differs from an agent of the org only in case, naming that agent: an auditor would read BOB and bob as one', () => {
      const events = org(add('bob', 'MEMBER'), add('Carol.Ops', 'ADMIN'));
      for (const [agentId, existing] of [['BOB', 'bob'], ['Bob', 'bob'], ['carol.ops', 'Carol.Ops'], ['CAROL.OPS', 'Carol.Ops'], ['Alice', 'alice']]) {
        const refusal = decide(events).when(add(agentId, 'MEMBER')).thenRefused('CONFLICT', 'AGENT_ID_TAKEN_IN_OTHER_CASE', { agentId: existing });
        expect(refusal.message).toContain(existing);
      }
      // Ids differing in more than case are other agents.
      decide(events).when(add('bob2', 'MEMBER')).thenEvents([{ type: 'AgentAdded', data: { ...agent('bob2'), role: 'MEMBER' } }]);
    });

    it('takes an id again in another case once the agent is removed, and keeps refusing it while its other holder stays', () => {
      const removed = org(add('bob', 'MEMBER'), { type: 'RemoveAgent', actorId: 'alice', agentId: 'bob' });
      decide(removed).when(add('BOB', 'MEMBER')).thenEvents([{ type: 'AgentAdded', data: { ...agent('BOB'), role: 'MEMBER' } }]);
      // A log written before ids were unique in any case may hold both: removing one leaves the other guarding its id.
      const both: OrganizationEvent[] = [...org(add('bob', 'MEMBER')), { type: 'AgentAdded', data: { ...agent('BOB'), role: 'MEMBER' } }];
      const oneLeft = [...both, { type: 'AgentRemoved', data: { agentId: 'BOB', role: 'MEMBER' } } as OrganizationEvent];
      decide(oneLeft).when(add('Bob', 'MEMBER')).thenRefused('CONFLICT', 'AGENT_ID_TAKEN_IN_OTHER_CASE', { agentId: 'bob' });
      const noneLeft = [...oneLeft, { type: 'AgentRemoved', data: { agentId: 'bob', role: 'MEMBER' } } as OrganizationEvent];
      decide(noneLeft).when(add('Bob', 'MEMBER')).thenEvents([{ type: 'AgentAdded', data: { ...agent('Bob'), role: 'MEMBER' } }]);
    });

    it('refuses every command on an org that does not exist', () => {
      decide([]).when(add('bob', 'MEMBER')).thenRefused('NOT_FOUND', 'ORG_NOT_FOUND');
      decide([]).when({ type: 'AssignFirstKey', agentId: 'alice', requestId: 'r1' }).thenRefused('NOT_FOUND', 'ORG_NOT_FOUND');
    });
  });

  describe('ChangeAgentRole (R1)', () => {
    it('changes a role, recording both roles', () => {
      decide(org(add('bob', 'MEMBER')))
        .when({ type: 'ChangeAgentRole', actorId: 'alice', agentId: 'bob', role: 'ADMIN', agentKey: undefined })
        .thenEvents([{ type: 'AgentRoleChanged', data: { agentId: 'bob', from: 'MEMBER', to: 'ADMIN' } }]);
    });

    it('writes nothing when the agent already has the role, so a retried change is harmless', () => {
      decide(org(add('bob', 'ADMIN'))).when({ type: 'ChangeAgentRole', actorId: 'alice', agentId: 'bob', role: 'ADMIN', agentKey: undefined }).thenEvents([]);
    });

    it('refuses an unknown agent and a caller who is not SUPER_ADMIN', () => {
      const events = org(add('bob', 'ADMIN'));
      decide(events).when({ type: 'ChangeAgentRole', actorId: 'alice', agentId: 'zed', role: 'ADMIN', agentKey: undefined }).thenRefused('NOT_FOUND', 'AGENT_NOT_FOUND');
      decide(events).when({ type: 'ChangeAgentRole', actorId: 'bob', agentId: 'bob', role: 'SUPER_ADMIN', agentKey: undefined }).thenRefused('FORBIDDEN', 'NOT_SUPER_ADMIN');
    });

    it('takes effect at once: a demoted SUPER_ADMIN manages nothing any more', () => {
      const events = org(add('bob', 'SUPER_ADMIN'), { type: 'ChangeAgentRole', actorId: 'bob', agentId: 'alice', role: 'ADMIN', agentKey: undefined });
      decide(events).when(add('carol', 'MEMBER', 'alice')).thenRefused('FORBIDDEN', 'NOT_SUPER_ADMIN');
      decide(events).when(add('carol', 'MEMBER', 'bob')).thenEvents([{ type: 'AgentAdded', data: { ...agent('carol'), role: 'MEMBER' } }]);
    });

    it('refuses to demote the last SUPER_ADMIN, themself included', () => {
      const refusal = decide(org(add('bob', 'ADMIN')))
        .when({ type: 'ChangeAgentRole', actorId: 'alice', agentId: 'alice', role: 'ADMIN', agentKey: undefined })
        .thenRefused('CONFLICT', 'LAST_SUPER_ADMIN');
      expect(refusal.message).toMatch(/last SUPER_ADMIN/);
    });

    it('demotes a SUPER_ADMIN while another one remains', () => {
      decide(org(add('bob', 'SUPER_ADMIN')))
        .when({ type: 'ChangeAgentRole', actorId: 'bob', agentId: 'alice', role: 'MEMBER', agentKey: undefined })
        .thenEvents([{ type: 'AgentRoleChanged', data: { agentId: 'alice', from: 'SUPER_ADMIN', to: 'MEMBER' } }]);
    });

    it('counts SUPER_ADMINs through promotions and demotions', () => {
      const events = org(
        add('bob', 'MEMBER'),
        { type: 'ChangeAgentRole', actorId: 'alice', agentId: 'bob', role: 'SUPER_ADMIN', agentKey: undefined },
        { type: 'ChangeAgentRole', actorId: 'bob', agentId: 'alice', role: 'AUDITOR', agentKey: undefined },
      );
      decide(events).when({ type: 'ChangeAgentRole', actorId: 'bob', agentId: 'bob', role: 'ADMIN', agentKey: undefined }).thenRefused('CONFLICT', 'LAST_SUPER_ADMIN');
    });

    describe('a key keeps the threshold it was approved under (R20, found by the insider probe)', () => {
      const strict = history(organizationDecider, [{ ...create, policy: { ...DEFAULT_ORG_POLICY, adminKeyApprovals: 2 } }, add('bob', 'MEMBER'), add('dan', 'ADMIN')]);
      /** The agent's key: none (false), activated by that many approvals, or judged on the roles' thresholds (true: a first key or a recovery's grant; audit verify's reading of any release's log). */
      const promote = (agentId: string, role: Role, key: boolean | number): OrganizationCommand => ({
        type: 'ChangeAgentRole',
        actorId: 'alice',
        agentId,
        role,
        agentKey: key === false ? undefined : key === true ? {} : { approvals: key },
      });

      it('refuses to make an ADMIN or SUPER_ADMIN of a MEMBER holding a key, when admins\' keys need more approvals', () => {
        for (const role of ['ADMIN', 'SUPER_ADMIN'] as const) {
          for (const key of [true, 1]) {
            const refusal = decide(strict).when(promote('bob', role, key)).thenRefused('CONFLICT', 'KEY_BELOW_ADMIN_THRESHOLD');
            expect(refusal.message).toMatch(/revoke that key first/);
          }
        }
      });

      it('judges on the approvals the key had, not on the members\' threshold now: raising it to the admins\' (mailed to nobody) lets no key of one approval through', () => {
        // Found from outside: approved alone at 1, the members' threshold raised to 2, then promoted: it was 200, no email.
        const raised = history(organizationDecider, [{ ...create, policy: { ...DEFAULT_ORG_POLICY, adminKeyApprovals: 2, memberKeyApprovals: 2 } }, add('bob', 'MEMBER')]);
        const refusal = decide(raised).when(promote('bob', 'ADMIN', 1)).thenRefused('CONFLICT', 'KEY_BELOW_ADMIN_THRESHOLD');
        expect(refusal.message).toMatch(/^The agent's ACTIVE key was activated by 1 approval\(s\), and this organization asks 2 for the key of a ADMIN/);
        // As every release before decided it, by the two thresholds, still read so from a log (audit verify).
        decide(raised).when(promote('bob', 'ADMIN', true)).thenEvents([{ type: 'AgentRoleChanged', data: { agentId: 'bob', from: 'MEMBER', to: 'ADMIN' } }]);
        decide(raised).when(promote('bob', 'ADMIN', 2)).thenEvents([{ type: 'AgentRoleChanged', data: { agentId: 'bob', from: 'MEMBER', to: 'ADMIN' } }]);
      });

      it("gives an ADMIN demoted to MEMBER their role back with a key that had the admins' approvals, not one with fewer", () => {
        decide(strict).when(promote('bob', 'ADMIN', 2)).thenEvents([{ type: 'AgentRoleChanged', data: { agentId: 'bob', from: 'MEMBER', to: 'ADMIN' } }]);
        decide(strict).when(promote('bob', 'SUPER_ADMIN', 3)).thenEvents([{ type: 'AgentRoleChanged', data: { agentId: 'bob', from: 'MEMBER', to: 'SUPER_ADMIN' } }]);
      });

      it('promotes a MEMBER without a key, an ADMIN with one, and any MEMBER when both thresholds are equal', () => {
        decide(strict).when(promote('bob', 'ADMIN', false)).thenEvents([{ type: 'AgentRoleChanged', data: { agentId: 'bob', from: 'MEMBER', to: 'ADMIN' } }]);
        decide(strict).when(promote('dan', 'SUPER_ADMIN', true)).thenEvents([{ type: 'AgentRoleChanged', data: { agentId: 'dan', from: 'ADMIN', to: 'SUPER_ADMIN' } }]);
        for (const key of [true, 1]) decide(org(add('bob', 'MEMBER'))).when(promote('bob', 'ADMIN', key)).thenEvents([{ type: 'AgentRoleChanged', data: { agentId: 'bob', from: 'MEMBER', to: 'ADMIN' } }]);
      });

      it('demotes an ADMIN holding a key under a policy asking more approvals of members\' keys: that takes power away', () => {
        const members = history(organizationDecider, [{ ...create, policy: { ...DEFAULT_ORG_POLICY, memberKeyApprovals: 3 } }, add('dan', 'ADMIN')]);
        decide(members).when(promote('dan', 'MEMBER', true)).thenEvents([{ type: 'AgentRoleChanged', data: { agentId: 'dan', from: 'ADMIN', to: 'MEMBER' } }]);
      });
    });
  });

  describe('RemoveAgent (R1, R9)', () => {
    it('removes an agent, recording the role they had', () => {
      decide(org(add('bob', 'ADMIN')))
        .when({ type: 'RemoveAgent', actorId: 'alice', agentId: 'bob' })
        .thenEvents([{ type: 'AgentRemoved', data: { agentId: 'bob', role: 'ADMIN' } }]);
    });

    it('refuses to remove the last SUPER_ADMIN', () => {
      decide(org(add('bob', 'ADMIN'))).when({ type: 'RemoveAgent', actorId: 'alice', agentId: 'alice' }).thenRefused('CONFLICT', 'LAST_SUPER_ADMIN');
    });

    it('removes a SUPER_ADMIN while another one remains', () => {
      decide(org(add('bob', 'SUPER_ADMIN')))
        .when({ type: 'RemoveAgent', actorId: 'bob', agentId: 'alice' })
        .thenEvents([{ type: 'AgentRemoved', data: { agentId: 'alice', role: 'SUPER_ADMIN' } }]);
    });

    it('refuses an unknown agent and a caller who is not SUPER_ADMIN', () => {
      const events = org(add('bob', 'ADMIN'));
      decide(events).when({ type: 'RemoveAgent', actorId: 'alice', agentId: 'zed' }).thenRefused('NOT_FOUND', 'AGENT_NOT_FOUND');
      decide(events).when({ type: 'RemoveAgent', actorId: 'bob', agentId: 'alice' }).thenRefused('FORBIDDEN', 'NOT_SUPER_ADMIN');
    });

    it('forgets a removed agent, who may be added again', () => {
      const events = org(add('bob', 'ADMIN'), { type: 'RemoveAgent', actorId: 'alice', agentId: 'bob' });
      const state = fold(organizationDecider, events);
      expect(roleOf(state, 'bob')).toBeUndefined();
      expect([...state.approvers]).toEqual(['alice']);
      decide(events).when(add('bob', 'MEMBER')).thenEvents([{ type: 'AgentAdded', data: { ...agent('bob'), role: 'MEMBER' } }]);
    });
  });

  describe('a caller who is not in the directory (R1)', () => {
    it('refuses a removed SUPER_ADMIN, as every other endpoint refuses a removed agent, before any role is checked (NOT_A_MEMBER)', () => {
      const events = org(add('bob', 'SUPER_ADMIN'), add('carol', 'MEMBER'), { type: 'RemoveAgent', actorId: 'alice', agentId: 'bob' });
      for (const actorId of ['bob', 'eve']) {
        const commands: OrganizationCommand[] = [
          add('dave', 'MEMBER', actorId),
          { type: 'ChangeAgentRole', actorId, agentId: 'carol', role: 'ADMIN', agentKey: undefined },
          { type: 'RemoveAgent', actorId, agentId: 'carol' },
        ];
        for (const command of commands) {
          const refusal = decide(events).when(command).thenRefused('FORBIDDEN', 'NOT_A_MEMBER');
          expect(refusal.message).toBe(`Agent "${actorId}" is not a member of this organization.`);
        }
      }
    });
  });

  describe('AssignFirstKey (R4)', () => {
    it('assigns the first key once', () => {
      const events = org(add('bob', 'ADMIN'));
      decide(events)
        .when({ type: 'AssignFirstKey', agentId: 'bob', requestId: 'r1' })
        .thenEvents([{ type: 'FirstKeyAssigned', data: { agentId: 'bob', requestId: 'r1' } }]);
      const assigned = history(organizationDecider, [{ type: 'AssignFirstKey', agentId: 'bob', requestId: 'r1' }], events);
      decide(assigned)
        .when({ type: 'AssignFirstKey', agentId: 'alice', requestId: 'r2' })
        .thenRefused('CONFLICT', 'FIRST_KEY_ALREADY_ASSIGNED', { agentId: 'bob', requestId: 'r1' });
    });

    it('refuses an agent who is not in the org', () => {
      decide(org()).when({ type: 'AssignFirstKey', agentId: 'zed', requestId: 'r1' }).thenRefused('NOT_FOUND', 'AGENT_NOT_FOUND');
    });
  });

  describe('state', () => {
    it('keeps the approvers (ADMIN, SUPER_ADMIN) apart from the other roles', () => {
      const state = fold(
        organizationDecider,
        org(add('bob', 'ADMIN'), add('carol', 'MEMBER'), add('dan', 'AUDITOR'), { type: 'ChangeAgentRole', actorId: 'alice', agentId: 'carol', role: 'ADMIN', agentKey: undefined }, {
          type: 'ChangeAgentRole',
          actorId: 'alice',
          agentId: 'bob',
          role: 'MEMBER',
          agentKey: undefined,
        }),
      );
      expect([...state.approvers].sort()).toEqual(['alice', 'carol']);
      expect(state.superAdminCount).toBe(1);
      expect(state.agents.size).toBe(4);
    });

    it('folds an org of 10,000 agents without changing any earlier state', () => {
      const events = org(...Array.from({ length: 10_000 }, (_, i) => add(`agent-${i}`, i % 100 === 0 ? 'ADMIN' : 'MEMBER')));
      const halfway = fold(organizationDecider, events.slice(0, 5_002));
      const full = fold(organizationDecider, events.slice(5_002), halfway);
      expect(full.agents.size).toBe(10_001);
      expect(halfway.agents.size).toBe(5_001);
      expect(roleOf(halfway, 'agent-9999')).toBeUndefined();
      expect(roleOf(full, 'agent-9999')).toBe('MEMBER');
      expect(roleOf(full, 'agent-9900')).toBe('ADMIN');
      expect(full.approvers.size).toBe(101);
    });
  });
});
