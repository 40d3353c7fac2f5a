import { ApiClient } from '../api-client';
import { checkApiUrl } from '../api-url';
import type { CommandSpec } from '../command-spec';
import { readSecret } from '../secret-input';
import { tokenClaims } from '../token-claims';

const TOKEN_ENV = 'ZTKEYS_TOKEN';

export const loginCommand: CommandSpec = {
  path: ['login'],
  summary: 'Store the server URL and your agent token in a profile, after checking them with the server',
  details: `The token is read from --token-fd, else ${TOKEN_ENV}, else asked on the terminal (never from argv).
Its claims "org" and "sub" name your organization and your agent id.`,
  options: {
    api: { type: 'string', valueName: 'url', required: true, description: 'base URL of the ztkeys server' },
    'token-fd': { type: 'string', valueName: 'n', integer: true, description: 'read the agent token from file descriptor n' },
  },
  async run(input, ctx) {
    const apiUrl = checkApiUrl(input.strings.api!, ctx.output);
    const fd = input.strings['token-fd'];
    const token = (
      await readSecret({ what: 'agent token', fd: fd === undefined ? undefined : Number(fd), fdOption: '--token-fd', envName: TOKEN_ENV }, ctx.io)
    ).trim();
    const { orgId, agentId } = tokenClaims(token);
    // No position tracking yet: a position remembered for this URL may come from another server.
    const api = new ApiClient(apiUrl, token);
    const org = await api.ok(api.http.GET('/v1/orgs/{orgId}', { params: { path: { orgId } } }));
    const profile = ctx.globals.profile;
    ctx.profiles.save(profile, { apiUrl, token, orgId, agentId });
    ctx.output.result(`Logged in to ${org?.name ?? orgId} (${orgId}) at ${apiUrl} as ${agentId}; profile "${profile}".`, {
      profile,
      apiUrl,
      orgId,
      agentId,
      org,
    });
  },
};
