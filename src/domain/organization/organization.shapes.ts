import { z } from 'zod';
import { dataShapes } from '../events/data-shapes';
import { roleSchema } from '../shared/roles.schema';
import { recordedProofSchema } from '../shared/signed-proof.schema';
import { orgPolicySchema } from './org-policy.schema';
import type { OrganizationEvent } from './organization.events';

export const ORGANIZATION_SHAPES = dataShapes<OrganizationEvent>()({
  OrganizationCreated: z.strictObject({ orgId: z.string(), name: z.string(), policy: orgPolicySchema.partial(), superAdminId: z.string() }),
  AgentAdded: z.strictObject({ agentId: z.string(), email: z.string(), displayName: z.string(), role: roleSchema }),
  AgentRoleChanged: z.strictObject({ agentId: z.string(), from: roleSchema, to: roleSchema }),
  AgentRemoved: z.strictObject({ agentId: z.string(), role: roleSchema }),
  FirstKeyAssigned: z.strictObject({ agentId: z.string(), requestId: z.string() }),
  OrgPolicyChanged: z.strictObject({ policy: orgPolicySchema, previous: orgPolicySchema, changedBy: z.string(), decision: recordedProofSchema }),
});
