import type { LimitName } from '../config/app-config';

/** The key an agent's or org's limit counts by, as its name says: the agent (within its org), or its org. */
export const limitKey = (limit: LimitName, caller: { orgId: string; agentId: string }): string =>
  limit.endsWith('_per_org') ? caller.orgId : `${caller.orgId}~${caller.agentId}`;
