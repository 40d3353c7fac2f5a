import { organizationDecider } from '../../src/domain/organization/organization.decider';
import { fold } from '../../src/domain/shared/decider';
import { history } from './given-when-then';
it('perf', () => {
  const cmds: any[] = [{ type: 'CreateOrganization', orgId: 'o', name: 'n', policy: { firstKeyRequiresAdmin: true }, superAdmin: { agentId: 'a', email: 'e', displayName: 'd' } }];
  for (let i = 0; i < 10000; i++) cmds.push({ type: 'AddAgent', actorId: 'a', agent: { agentId: `agent-${i}`, email: 'e', displayName: 'd' }, role: 'MEMBER' });
  const ev = history(organizationDecider, cmds);
  for (let k = 0; k < 3; k++) { const t = performance.now(); fold(organizationDecider, ev); console.log('fold', performance.now() - t); }
});
