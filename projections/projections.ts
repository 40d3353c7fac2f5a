import { asOfProjection } from './as-of.projection';
import { auditLogProjection } from './audit-log.projection';
import { orgStatusProjection } from './org-status.projection';
import { pendingKeysProjection } from './pending-keys.projection';
import type { Projection, ReadModelName } from './projection';
import { recoveriesProjection } from './recoveries.projection';

/** Every read model, by name. */
export const PROJECTIONS: Record<ReadModelName, Projection> = {
  'pending-keys': pendingKeysProjection,
  'org-status': orgStatusProjection,
  'audit-log': auditLogProjection,
  'as-of': asOfProjection,
  recoveries: recoveriesProjection,
};
