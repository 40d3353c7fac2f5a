import { sentence } from '../shared/hidden-characters';
import type { AuditFailure } from './verifier/audit-verdict';

const events = (count: number): string => (count === 1 ? 'the first event' : `the first ${count} events`);

/**
 * How far a log that failed verification was verified (AuditFailure.verified), as `ztkeys audit
 * verify` and the console say it: what an auditor may still rely on, and that nothing else is.
 */
export function verifiedDespiteFailure({ verified }: Pick<AuditFailure, 'verified'>): string {
  if (verified.length === 0) return 'Nothing in it is verified.';
  const parts = verified.map(({ orgId, events: count, checkpointLine }) =>
    checkpointLine === undefined
      ? sentence`${events(count)} of org ${orgId} (those of the trusted checkpoint)`
      : sentence`${events(count)} of org ${orgId} (signed by its checkpoint of size ${count} on line ${checkpointLine})`,
  );
  return `Verified before it: ${parts.join('; ')}. Nothing after them is.`;
}
