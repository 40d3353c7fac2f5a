import { AgentSession } from '../agent-session';
import type { CommandSpec } from '../command-spec';

export const browserLogoutCommand: CommandSpec = {
  path: ['logout'],
  summary: 'Log out of a browser: its prompt frequency goes back to EVERY_TASK',
  options: { browser: { type: 'string', valueName: 'id', required: true, description: 'the browser to log out of' } },
  async run(input, ctx) {
    const session = AgentSession.open(ctx);
    const browserId = input.strings.browser!;
    const response = await session.api.post<object>(session.selfPath('browsers', browserId, 'logout'));
    ctx.output.result(`Logged out of browser ${browserId}: its prompt frequency is EVERY_TASK again.`, {
      browserId,
      frequency: 'EVERY_TASK',
      ...response,
    });
  },
};
