import { z } from 'zod';
import { DEFAULT_ORG_POLICY } from '../../domain/organization/org-policy';
import { ORG_POLICY_FIELDS } from '../../domain/organization/org-policy.schema';
import { ROLES } from '../../domain/shared/roles';
import { bodySchema } from './body-schema';
import { emailField, idField, personNameField, textField } from './fields';

const newAgentFields = {
  agentId: idField('Agent id, unique in the org (e.g. the IdP subject)'),
  email: emailField(),
  displayName: personNameField('Name shown to approvers'),
};

const role = z.enum(ROLES);

/** The policy an org is created with (R20), from the policy's own table; a field left out takes its default. */
const initialPolicy = bodySchema(
  Object.fromEntries(Object.entries(ORG_POLICY_FIELDS).map(([field, schema]) => [field, (schema as z.ZodType<unknown>).default(DEFAULT_ORG_POLICY[field as keyof typeof DEFAULT_ORG_POLICY])])) as {
    [F in keyof typeof ORG_POLICY_FIELDS]: z.ZodDefault<(typeof ORG_POLICY_FIELDS)[F]>;
  },
);

export const createOrganizationSchema = bodySchema({
  name: textField('Organization name', 200),
  superAdmin: bodySchema(newAgentFields).describe('The first SUPER_ADMIN'),
  policy: initialPolicy.optional(),
});
export type CreateOrganizationBody = z.infer<typeof createOrganizationSchema>;

export const addAgentSchema = bodySchema({ ...newAgentFields, role });
export type AddAgentBody = z.infer<typeof addAgentSchema>;

export const changeRoleSchema = bodySchema({ role });
export type ChangeRoleBody = z.infer<typeof changeRoleSchema>;
