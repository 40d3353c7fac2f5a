import { checkApiUrl, plainHttpOption } from '../api-url';
import type { CommandSpec } from '../command-spec';
import { formatFields } from '../output';
import { readSecret, secretGiven, secretOptions } from '../secret-input';
import { usageError } from '../cli-error';

const BOOTSTRAP_TOKEN_ENV = 'ZTKEYS_BOOTSTRAP_TOKEN';

export const orgCreateCommand: CommandSpec = {
  path: ['org', 'create'],
  summary: 'Create an organization and its first SUPER_ADMIN (operator, with the bootstrap token)',
  details: `The bootstrap token is read from --bootstrap-token-file or --bootstrap-token-fd, else ${BOOTSTRAP_TOKEN_ENV}, else asked on the terminal.
--api defaults to the server of the selected profile.`,
  options: {
    api: { type: 'string', valueName: 'url', description: 'base URL of the ztkeys server' },
    ...plainHttpOption,
    name: { type: 'string', valueName: 'name', required: true, shownText: 'one line', description: 'organization name' },
    'admin-id': { type: 'string', valueName: 'agentId', required: true, description: 'agent id of the first SUPER_ADMIN' },
    'admin-email': { type: 'string', valueName: 'email', required: true, description: 'their email' },
    'admin-name': { type: 'string', valueName: 'name', required: true, shownText: 'one line', description: 'their display name' },
    'allow-member-first-key': { type: 'boolean', description: 'policy firstKeyRequiresAdmin=false: a MEMBER may hold the first key (R4)' },
    ...secretOptions('bootstrap-token', 'bootstrap token'),
  },
  async run(input, ctx) {
    const given = input.strings.api ?? ctx.profiles.get(ctx.profileName)?.apiUrl;
    if (!given) throw usageError('Which server? Give --api <url> (or log in to a profile first).');
    const apiUrl = checkApiUrl(given, ctx.output, input.flags['plain-http'] === true);
    const token = (
      await readSecret({ what: 'bootstrap token', option: 'bootstrap-token', ...secretGiven(input, 'bootstrap-token'), envName: BOOTSTRAP_TOKEN_ENV }, ctx.io)
    ).trim();
    const superAdmin = { agentId: input.strings['admin-id']!, email: input.strings['admin-email']!, displayName: input.strings['admin-name']! };
    const api = ctx.apiFor(apiUrl, token, 'bootstrap');
    const body = { name: input.strings.name!, superAdmin, ...(input.flags['allow-member-first-key'] ? { policy: { firstKeyRequiresAdmin: false } } : {}) };
    const created = await api.idempotent((headers) => api.http.POST('/v1/orgs', { body, headers }));
    ctx.output.result(
      [
        `Organization "${input.strings.name}" created.`,
        formatFields([
          ['org id', created.orgId],
          ['super admin', `${superAdmin.agentId} (${superAdmin.displayName} <${superAdmin.email}>)`],
        ]),
        `Next: give ${superAdmin.agentId} an agent token for this org, then "ztkeys login --api ${apiUrl}" and "ztkeys keys create".`,
      ].join('\n'),
      { ...created, name: input.strings.name, superAdmin },
    );
  },
};
