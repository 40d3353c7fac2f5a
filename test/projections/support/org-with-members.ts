import { OrgEventBuilder } from './org-event-builder';
import { RecordingLog } from './recording-log';

/** An org's log as the projection specs start it: root (SUPER_ADMIN) holds the first key, `members` are MEMBERs without one. */
export function orgWithMembers(orgId: string, ...members: string[]): { org: OrgEventBuilder; log: RecordingLog } {
  const org = new OrgEventBuilder(orgId);
  const log = new RecordingLog();
  log.record(org.createOrganization('root'));
  log.record(org.requestKey('root', 'r-root', true));
  for (const member of members) log.record(org.addAgent('root', member, 'MEMBER'));
  return { org, log };
}
