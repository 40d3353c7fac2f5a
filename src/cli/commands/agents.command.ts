import { ROLES } from '../../domain/shared/roles';
import { AgentSession } from '../agent-session';
import { choice } from '../choice';
import type { CommandSpec } from '../command-spec';

export const agentsAddCommand: CommandSpec = {
  path: ['agents', 'add'],
  summary: 'Add an agent to the organization (SUPER_ADMIN)',
  args: [{ name: 'agentId' }],
  options: {
    email: { type: 'string', valueName: 'email', required: true, description: 'their email (key notifications go there)' },
    name: { type: 'string', valueName: 'name', required: true, shownText: 'one line', description: 'their display name' },
    role: { type: 'string', valueName: 'role', choices: ROLES, description: 'their role (default MEMBER)' },
  },
  async run(input, ctx) {
    const session = AgentSession.open(ctx);
    const agent = { agentId: input.args.agentId, email: input.strings.email!, displayName: input.strings.name!, role: choice(ROLES, input.strings.role ?? 'MEMBER') };
    const response = await session.api.ok(session.api.http.POST('/v1/orgs/{orgId}/agents', { params: { path: session.org }, body: agent }));
    ctx.output.result(`Added ${agent.agentId} (${agent.displayName} <${agent.email}>) as ${agent.role}.`, { ...agent, ...response });
  },
};

export const agentsRoleCommand: CommandSpec = {
  path: ['agents', 'role'],
  summary: "Change an agent's role (SUPER_ADMIN); it takes effect at once",
  args: [{ name: 'agentId' }, { name: 'role', choices: ROLES }],
  async run(input, ctx) {
    const session = AgentSession.open(ctx);
    const { agentId } = input.args;
    const role = choice(ROLES, input.args.role);
    const response = await session.api.ok(
      session.api.http.PATCH('/v1/orgs/{orgId}/agents/{agentId}', { params: { path: { ...session.org, agentId } }, body: { role } }),
    );
    ctx.output.result(`${agentId} is now ${role}.`, { agentId, role, ...response });
  },
};

export const agentsRemoveCommand: CommandSpec = {
  path: ['agents', 'remove'],
  summary: 'Remove an agent (SUPER_ADMIN): revokes their key and cancels their pending request',
  args: [{ name: 'agentId' }],
  async run(input, ctx) {
    const session = AgentSession.open(ctx);
    const { agentId } = input.args;
    const response = await session.api.ok(session.api.http.DELETE('/v1/orgs/{orgId}/agents/{agentId}', { params: { path: { ...session.org, agentId } } }));
    ctx.output.result(`Removed ${agentId}: their key, if any, is revoked, and a pending request cancelled.`, { agentId, ...response });
  },
};
