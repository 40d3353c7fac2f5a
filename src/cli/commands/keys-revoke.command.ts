import { AgentSession } from '../agent-session';
import type { CommandSpec } from '../command-spec';

export const keysRevokeCommand: CommandSpec = {
  path: ['keys', 'revoke'],
  summary: "Revoke an agent's active key (ADMIN, SUPER_ADMIN); a revoked key signs nothing",
  args: [{ name: 'agentId' }],
  options: { reason: { type: 'string', valueName: 'text', required: true, shownText: 'lines', description: 'why, for the agent and the audit log' } },
  async run(input, ctx) {
    const session = AgentSession.open(ctx);
    const { agentId } = input.args;
    const response = await session.api.ok(
      session.api.http.DELETE('/v1/orgs/{orgId}/agents/{agentId}/key', { params: { path: { ...session.org, agentId } }, body: { reason: input.strings.reason! } }),
    );
    ctx.output.result(`Revoked ${agentId}'s key.`, { agentId, status: 'REVOKED', ...response });
  },
};
