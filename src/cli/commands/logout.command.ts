import { AgentSession } from '../agent-session';
import type { CommandSpec } from '../command-spec';

export const browserLogoutCommand: CommandSpec = {
  path: ['logout'],
  summary: 'Log out of a browser: its prompt frequency goes back to EVERY_TASK',
  options: { browser: { type: 'string', valueName: 'id', required: true, description: 'the browser to log out of' } },
  async run(input, ctx) {
    const session = AgentSession.open(ctx);
    const browserId = input.strings.browser!;
    const response = await session.api.ok(
      session.api.http.POST('/v1/orgs/{orgId}/agents/{agentId}/browsers/{browserId}/logout', { params: { path: session.browser(browserId) } }),
    );
    ctx.output.result(`Logged out of browser ${browserId}: its prompt frequency is EVERY_TASK again.`, {
      browserId,
      ...response,
    });
  },
};
