import type { CommandSpec } from '../command-spec';
import { formatFields, formatTable } from '../output';
import type { Profile } from '../profile-store';
import { hasExpired, tokenExpiresAt } from '../token-claims';

/** A profile as `whoami` and `profile list` show it; the token itself never. */
const describe = (name: string, profile: Profile, current: boolean) => {
  const expiresAt = tokenExpiresAt(profile.token);
  const expired = hasExpired(expiresAt);
  return { profile: name, current, apiUrl: profile.apiUrl, orgId: profile.orgId, agentId: profile.agentId, tokenExpiresAt: expiresAt ?? null, expired };
};

export const whoamiCommand: CommandSpec = {
  path: ['whoami'],
  summary: 'Show the selected profile: server, org, agent and when its token expires (exit 8 once it has)',
  async run(_input, ctx) {
    const name = ctx.profileName;
    // requireProfile refuses an expired token with its own exit code and says how to log in again.
    const shown = describe(name, ctx.requireProfile(), true);
    ctx.output.result(
      [
        `${shown.agentId} in org ${shown.orgId} at ${shown.apiUrl}`,
        formatFields([
          ['profile', name],
          ['token expires', shown.tokenExpiresAt ?? 'never (no exp claim)'],
        ]),
      ].join('\n'),
      shown,
    );
  },
};

export const profileListCommand: CommandSpec = {
  path: ['profile', 'list'],
  summary: 'List the profiles of this ZTKEYS_HOME; * marks the selected one',
  async run(_input, ctx) {
    const selected = ctx.profileName;
    const profiles = Object.entries(ctx.profiles.all()).map(([name, profile]) => describe(name, profile, name === selected));
    ctx.output.result(
      profiles.length === 0
        ? 'No profile yet: run "ztkeys login --api <url>".'
        : formatTable(
            ['', 'PROFILE', 'AGENT', 'ORG', 'SERVER', 'TOKEN EXPIRES'],
            profiles.map((shown) => [
              shown.current ? '*' : ' ',
              shown.profile,
              shown.agentId,
              shown.orgId,
              shown.apiUrl,
              shown.expired ? `${shown.tokenExpiresAt} (expired)` : shown.tokenExpiresAt,
            ]),
          ),
      { profiles },
    );
  },
};

export const profileUseCommand: CommandSpec = {
  path: ['profile', 'use'],
  summary: 'Make a profile the one used when neither --profile nor ZTKEYS_PROFILE is given',
  args: [{ name: 'name' }],
  async run(input, ctx) {
    const name = input.args.name;
    const profile = ctx.profiles.use(name);
    ctx.output.result(`Now using profile "${name}": ${profile.agentId} in org ${profile.orgId} at ${profile.apiUrl}.`, describe(name, profile, true));
  },
};
