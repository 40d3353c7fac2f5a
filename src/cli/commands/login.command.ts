import { onOneLineShown } from '../../shared/hidden-characters';
import { ApiClient } from '../api-client';
import { answerBounds } from '../answer-bounds';
import { checkApiUrl, plainHttpOption } from '../api-url';
import { usageError } from '../cli-error';
import type { CommandSpec } from '../command-spec';
import { readSecret, secretGiven, secretOptions } from '../secret-input';
import { tokenClaims } from '../token-claims';

const TOKEN_ENV = 'ZTKEYS_TOKEN';

export const loginCommand: CommandSpec = {
  path: ['login'],
  summary: 'Store the server URL and your agent token in a profile, after checking them with the server',
  details: `The token is read from --token-file or --token-fd, else ${TOKEN_ENV}, else asked on the terminal (never from argv).
Its claims "org" and "sub" name your organization and your agent id. The profile becomes the one
used by default (see "profile use"). A profile that holds another agent, org or server is not
replaced without --force: several people sharing a home log in with --profile <their name>.`,
  options: {
    api: { type: 'string', valueName: 'url', required: true, description: 'base URL of the ztkeys server' },
    ...plainHttpOption,
    ...secretOptions('token', 'agent token'),
    force: { type: 'boolean', description: 'replace a profile that holds another agent, org or server' },
  },
  async run(input, ctx) {
    const apiUrl = checkApiUrl(input.strings.api!, ctx.output, input.flags['plain-http'] === true);
    const token = (await readSecret({ what: 'agent token', option: 'token', ...secretGiven(input, 'token'), envName: TOKEN_ENV }, ctx.io)).trim();
    const { orgId, agentId } = tokenClaims(token);
    const profile = ctx.profileName;
    const held = ctx.profiles.get(profile);
    if (held && !input.flags.force && (held.apiUrl !== apiUrl || held.orgId !== orgId || held.agentId !== agentId))
      throw usageError(
        `Profile "${profile}" holds ${held.agentId} of org ${held.orgId} at ${held.apiUrl}; nothing was changed. ` +
          `Log in with --profile <name> (for example --profile ${agentId}), or add --force to replace it.`,
      );
    // No position tracking yet: a position remembered for this URL may come from another server.
    const api = new ApiClient(apiUrl, token, undefined, answerBounds(ctx.io.env));
    const org = await api.ok(api.http.GET('/v1/orgs/{orgId}', { params: { path: { orgId } } }));
    ctx.profiles.save(profile, { apiUrl, token, orgId, agentId });
    ctx.profiles.use(profile);
    ctx.output.result(`Logged in to ${onOneLineShown(org?.name ?? orgId)} (${orgId}) at ${apiUrl} as ${agentId}; profile "${profile}", now the default.`, {
      profile,
      apiUrl,
      orgId,
      agentId,
      org,
    });
  },
};
