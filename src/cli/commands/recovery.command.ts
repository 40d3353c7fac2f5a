import type { components } from '../api-types.generated';
import { AgentSession } from '../agent-session';
import { checkApiUrl, plainHttpOption } from '../api-url';
import { usageError } from '../cli-error';
import type { CommandSpec } from '../command-spec';
import { formatFields } from '../output';
import { readSecret, secretGiven, secretOptions } from '../secret-input';
import { sentence } from '../../shared/hidden-characters';

const BOOTSTRAP_TOKEN_ENV = 'ZTKEYS_BOOTSTRAP_TOKEN';

type Recovery = components['schemas']['RecoveryView'];

const LAPSES: Record<NonNullable<Recovery['lapseReason']>, string> = {
  AGENT_DEMOTED: 'was demoted from SUPER_ADMIN: the recovery can no longer complete',
  AGENT_REMOVED: 'was removed from the organization: the recovery can no longer complete',
  UNCLAIMED: 'requested no key within its claim window after it took effect: it grants none now',
};

const recoveryLines = (recovery: Recovery): string =>
  formatFields([
    ['recovery', recovery.recoveryId],
    ['restores', `${recovery.agentId} (SUPER_ADMIN)`],
    ['status', recovery.status],
    ['started', recovery.startedAt],
    ['takes effect', recovery.effectiveAt],
    ...(recovery.claimBy ? [['claim by', `${recovery.claimBy} (the agent's key request, else it lapses)`] as const] : []),
    ['delay', `${recovery.delayHours} h${recovery.withWorkingApprover ? ' (doubled: an approver still had an active key)' : ''}`],
    ...(recovery.vetoedBy ? [['vetoed by', recovery.vetoedBy] as const] : []),
    ...(recovery.requestId ? [['granted request', `${recovery.requestId} (mode RECOVERY)`] as const] : []),
    ...(recovery.lapseReason ? [['lapsed', `${recovery.agentId} ${LAPSES[recovery.lapseReason]}`] as const] : []),
  ]);

export const recoveryStartCommand: CommandSpec = {
  path: ['recovery', 'start'],
  summary: 'Start a break-glass recovery of a locked-out organization for one SUPER_ADMIN (operator, with the bootstrap token)',
  details: `After the org policy's recoveryDelayHours (doubled while an ADMIN or SUPER_ADMIN still holds an
active key), unless an approver vetoes it, the agent's PENDING key request is granted with mode RECOVERY.
Every ADMIN and SUPER_ADMIN is emailed at once, halfway, and at the end. The agent then runs "ztkeys keys create".
Should the agent stop being a SUPER_ADMIN meanwhile, or request no key within the policy's
pendingRequestExpiryHours after it took effect, the recovery lapses, and another may be started.
The bootstrap token is read from --bootstrap-token-file or --bootstrap-token-fd, else ${BOOTSTRAP_TOKEN_ENV}, else asked on the terminal.
--api and --org default to the server and organization of the selected profile.`,
  options: {
    api: { type: 'string', valueName: 'url', description: 'base URL of the ztkeys server' },
    ...plainHttpOption,
    org: { type: 'string', valueName: 'orgId', description: 'the locked-out organization' },
    agent: { type: 'string', valueName: 'agentId', required: true, description: 'the SUPER_ADMIN whose next key request the recovery grants' },
    ...secretOptions('bootstrap-token', 'bootstrap token'),
  },
  async run(input, ctx) {
    const profile = ctx.profiles.get(ctx.profileName);
    const given = input.strings.api ?? profile?.apiUrl;
    if (!given) throw usageError('Which server? Give --api <url> (or log in to a profile first).');
    const orgId = input.strings.org ?? profile?.orgId;
    if (!orgId) throw usageError('Which organization? Give --org <orgId>.');
    const apiUrl = checkApiUrl(given, ctx.output, input.flags['plain-http'] === true);
    const token = (await readSecret({ what: 'bootstrap token', option: 'bootstrap-token', ...secretGiven(input, 'bootstrap-token'), envName: BOOTSTRAP_TOKEN_ENV }, ctx.io)).trim();
    const api = ctx.apiFor(apiUrl, token, 'bootstrap');
    const started = await api.ok(api.http.POST('/v1/orgs/{orgId}/recoveries', { params: { path: { orgId } }, body: { agentId: input.strings.agent! } }));
    ctx.output.result(
      [`Break-glass recovery started; every ADMIN and SUPER_ADMIN of ${orgId} is emailed and may veto it.`, recoveryLines(started), sentence`Next: ${started.agentId} runs "ztkeys keys create"; the request is granted at ${started.effectiveAt} unless vetoed.`].join('\n'),
      started,
    );
  },
};

async function latest(session: AgentSession): Promise<Recovery> {
  return session.api.ok(session.api.http.GET('/v1/orgs/{orgId}/recovery', { params: { path: session.org } }));
}

export const recoveryShowCommand: CommandSpec = {
  path: ['recovery', 'show'],
  summary: "Show the organization's latest break-glass recovery, running or not (ADMIN, SUPER_ADMIN, AUDITOR)",
  async run(_input, ctx) {
    const recovery = await latest(AgentSession.open(ctx));
    ctx.output.result(recoveryLines(recovery), recovery);
  },
};

export const recoveryVetoCommand: CommandSpec = {
  path: ['recovery', 'veto'],
  summary: 'Veto the running break-glass recovery, signed with your key (ADMIN, SUPER_ADMIN with an active key)',
  details: 'Shows the running recovery, then signs a RECOVERY_VETO challenge after checking it binds that recovery and the agent it restores.',
  async run(_input, ctx) {
    const session = AgentSession.open(ctx);
    const recovery = await latest(session);
    if (recovery.status !== 'RUNNING') throw usageError(sentence`The latest recovery (${recovery.recoveryId}) is ${recovery.status}: there is nothing to veto.`);
    ctx.output.info(`Vetoing:\n${recoveryLines(recovery)}`);
    const key = await session.unlockActiveKey();
    try {
      const proof = await session.sign(key, { purpose: 'RECOVERY_VETO', recoveryId: recovery.recoveryId, recoveredAgentId: recovery.agentId });
      const vetoed = await session.api.ok(
        session.api.http.POST('/v1/orgs/{orgId}/recoveries/{recoveryId}/veto', { params: { path: { ...session.org, recoveryId: recovery.recoveryId } }, body: proof }),
      );
      ctx.output.result(sentence`Recovery ${vetoed.recoveryId} vetoed: it will not take effect.`, vetoed);
    } finally {
      key.secretKey.fill(0);
    }
  },
};
