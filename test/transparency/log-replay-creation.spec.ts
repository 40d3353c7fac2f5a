import { DEFAULT_ORG_POLICY } from '../../src/domain/organization/org-policy';
import { organizationDecider } from '../../src/domain/organization/organization.decider';
import type { OrganizationCommand } from '../../src/domain/organization/organization.commands';
import { OPERATOR_ACTOR } from '../../src/domain/shared/actor';
import { OrgReplay } from '../../src/transparency/log-replay';
import { history } from '../domain/given-when-then';
import { ORG, T0, at } from '../domain/key-fixtures';

const create = (name: string, superAdmin: string): OrganizationCommand => ({
  type: 'CreateOrganization',
  orgId: ORG,
  name,
  policy: DEFAULT_ORG_POLICY,
  superAdmin: { agentId: superAdmin, email: `${superAdmin}@example.com`, displayName: superAdmin },
});

/** The events CreateOrganization decides, replayed as the server records them: by the operator, in one commit. */
const created = (replay: OrgReplay, name: string, superAdmin: string, occurredAt: string) => () => {
  for (const event of history(organizationDecider, [create(name, superAdmin)])) replay.organization({ ...event, actor: OPERATOR_ACTOR, occurredAt });
};

describe('offline replay of an org\'s creation (R1)', () => {
  it('lets the creation through once, and reports a second OrganizationCreated, which the decider refuses (ORG_EXISTS)', () => {
    const replay = new OrgReplay(ORG);
    expect(created(replay, 'Acme', 'alice', T0)).not.toThrow();
    // A second creation, each of its events as the decider writes it on an empty stream: it would reset the name, policy and creator.
    expect(created(replay, 'Acme (taken over)', 'mallory', at(1000))).toThrow(`org "${ORG}" is created a second time, though it exists`);
  });
});
