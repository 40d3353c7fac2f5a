import { AgentSession } from '../agent-session';
import { declaredMembers } from '../api-answers';
import type { CommandSpec } from '../command-spec';
import { formatTable } from '../output';
import { sentence } from '../../shared/hidden-characters';

export const auditAsOfCommand: CommandSpec = {
  path: ['audit', 'as-of'],
  summary: 'Who could perform sensitive tasks at an instant: agents with an ACTIVE key then, their role, and browsers with a remembered window open (ADMIN, SUPER_ADMIN, AUDITOR)',
  details: 'Usage: ztkeys audit as-of 2026-05-01T12:00:00Z   (an RFC 3339 date-time with offset, not later than now)',
  args: [{ name: 'instant' }],
  async run(input, ctx) {
    const session = AgentSession.open(ctx);
    const answer = await session.api.ok(session.api.http.GET('/v1/orgs/{orgId}/as-of', { params: { path: session.org, query: { at: input.args.instant } } }));
    const table = formatTable(
      ['AGENT', 'ROLE', 'FINGERPRINT', 'MODE', 'ACTIVE SINCE', 'REMEMBERED BROWSERS (UNTIL)'],
      answer.agents.map((agent) => [
        agent.agentId,
        agent.role,
        `${agent.key.fingerprint.slice(0, 16)}…`,
        agent.key.mode,
        agent.key.activeSince,
        agent.rememberedBrowsers.map((browser) => `${browser.browserId} (${browser.until})`).join(' '),
      ]),
    );
    ctx.output.result(`${sentence`At ${answer.at}`}: ${answer.agents.length} agent(s) could perform sensitive tasks.\n\n${table}`, answer, declaredMembers('AgentAsOfView'));
  },
};
