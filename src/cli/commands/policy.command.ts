import type { OrgPolicy } from '../../domain/organization/org-policy';
import { ORG_POLICY_FIELDS, policyProblems } from '../../domain/organization/org-policy.schema';
import { AgentSession } from '../agent-session';
import { usageError } from '../cli-error';
import type { CommandSpec, OptionSpec } from '../command-spec';
import { formatFields } from '../output';

type Field = keyof OrgPolicy;

/** The option of `policy set` for each policy field (R20), in the order `policy show` lists them. */
const OPTIONS: Readonly<Record<Field, string>> = {
  firstKeyRequiresAdmin: 'first-key-requires-admin',
  memberKeyApprovals: 'member-approvals',
  adminKeyApprovals: 'admin-approvals',
  recoveryDelayHours: 'recovery-delay-hours',
  pendingRequestExpiryHours: 'request-expiry-hours',
  reminderAfterHours: 'reminder-after-hours',
};
const FIELDS = Object.keys(OPTIONS) as Field[];

const policyLines = (policy: OrgPolicy): string => formatFields(FIELDS.map((field) => [field, String(policy[field])] as const));

/** The org's policy, and its version (ETag) for the change based on it. */
async function currentPolicy(session: AgentSession): Promise<{ policy: OrgPolicy; etag: string | null }> {
  const call = session.api.http.GET('/v1/orgs/{orgId}/policy', { params: { path: session.org } });
  const policy = await session.api.ok(call);
  return { policy, etag: (await call).response.headers.get('etag') };
}

export const policyShowCommand: CommandSpec = {
  path: ['policy', 'show'],
  summary: "Show the organization's lifecycle policy: first-key rule, approval thresholds, delays (any member)",
  async run(_input, ctx) {
    const { policy } = await currentPolicy(AgentSession.open(ctx));
    ctx.output.result(policyLines(policy), policy);
  },
};

/** The new value of a field from its option, if given: booleans as true/false, the rest whole numbers. */
function parsed(field: Field, text: string | undefined): boolean | number | undefined {
  if (text === undefined) return undefined;
  return field === 'firstKeyRequiresAdmin' ? text.toUpperCase() === 'TRUE' : Number(text);
}

export const policySetCommand: CommandSpec = {
  path: ['policy', 'set'],
  summary: "Change the organization's lifecycle policy, signed with your key (SUPER_ADMIN)",
  details: `Reads the current policy, changes the fields given, shows the whole new policy and signs the
ORG_POLICY challenge after checking it binds exactly that policy. Fields not given keep their value.
A tightened approval threshold applies to requests already pending. If another SUPER_ADMIN changed the
policy since it was read, nothing is changed (exit 3, POLICY_CHANGED): run it again.`,
  options: Object.fromEntries(
    FIELDS.map((field): [string, OptionSpec] => [
      OPTIONS[field],
      field === 'firstKeyRequiresAdmin'
        ? { type: 'string', valueName: 'bool', choices: ['TRUE', 'FALSE'], description: ORG_POLICY_FIELDS[field].description ?? field }
        : { type: 'string', valueName: 'n', integer: true, description: ORG_POLICY_FIELDS[field].description ?? field },
    ]),
  ),
  async run(input, ctx) {
    const session = AgentSession.open(ctx);
    const changes = Object.fromEntries(
      FIELDS.flatMap((field) => {
        const value = parsed(field, input.strings[OPTIONS[field]]);
        return value === undefined ? [] : [[field, value]];
      }),
    ) as Partial<OrgPolicy>;
    if (Object.keys(changes).length === 0) throw usageError(`Name at least one field to change: ${FIELDS.map((field) => `--${OPTIONS[field]}`).join(', ')}.`);
    const current = await currentPolicy(session);
    // The known fields of the read only: a member the server added (a newer release's, or a hostile one's) is neither shown nor signed.
    const policy = Object.fromEntries(FIELDS.map((field) => [field, changes[field] ?? current.policy[field]])) as OrgPolicy;
    // Before the passphrase is asked for: the server would refuse the challenge of such a policy.
    const problems = policyProblems(policy);
    if (problems.length > 0) throw usageError(`The policy cannot be set: ${problems.map((problem) => `--${OPTIONS[problem.field as Field]}: ${problem.message}`).join('; ')}.`);
    ctx.output.info(`New policy of ${session.profile.orgId}:\n${policyLines(policy)}`);
    if (current.etag === null)
      ctx.output.warn(
        'The server gives no version of the policy (no ETag: a release before 2026-12-04), so a change another SUPER_ADMIN makes after this read is not detected: the fields you do not give are set back to what was read here.',
      );
    const key = await session.unlockActiveKey();
    try {
      const proof = await session.sign(key, { purpose: 'ORG_POLICY', ...policy });
      // If-Match: another SUPER_ADMIN's change since the read is refused (412), not undone by the fields kept from it.
      const header = current.etag === null ? {} : { 'If-Match': current.etag };
      const result = await session.api.ok(session.api.http.PUT('/v1/orgs/{orgId}/policy', { params: { path: session.org, header }, body: { policy, ...proof } }));
      ctx.output.result(result.changed ? 'Policy changed.' : 'The organization already had this policy: nothing changed.', result);
    } finally {
      key.secretKey.fill(0);
    }
  },
};
