import { auditLogProjection } from '../../projections/audit-log.projection';
import type { AuditEntryDocument } from '../../src/transparency/audit-entry';
import { OrgEventBuilder } from './support/org-event-builder';
import { project, RecordingLog } from './support/recording-log';

describe('audit-log projection', () => {
  it('keeps every event once, in log order, with its actor, subject and metadata', () => {
    const org = new OrgEventBuilder('org-1');
    const log = new RecordingLog();
    log.record(org.createOrganization('root'));
    log.record(org.addAgent('root', 'alice', 'MEMBER'));
    log.record(org.requestKey('alice', 'r-1'));
    log.record(org.logOut('alice', 'chrome.work'));

    const entries = project(auditLogProjection, log.events)
      .dump('audit_log')
      .map((d) => d.document as AuditEntryDocument)
      .sort((a, b) => a.position - b.position);

    expect(entries.map((e) => [e.type, e.actor, e.subject])).toEqual([
      ['OrganizationCreated', 'operator', null],
      ['AgentAdded', 'operator', 'root'],
      ['AgentAdded', 'root', 'alice'],
      ['KeyRequested', 'alice', 'alice'],
      ['PromptFrequencyChanged', 'alice', 'alice'],
    ]);
    const requested = log.events[3];
    expect(entries[3]).toEqual({
      eventId: requested.id,
      position: 4,
      orgId: 'org-1',
      type: 'KeyRequested',
      schemaVersion: 1,
      stream: requested.stream,
      revision: 0,
      actor: 'alice',
      subject: 'alice',
      occurredAt: requested.metadata.occurredAt,
      correlationId: requested.metadata.correlationId,
      causationId: requested.metadata.causationId,
      data: requested.data,
    });
  });

  it('writes occurredAt in one canonical form, so that time ranges compare as strings', () => {
    const org = new OrgEventBuilder('org-1');
    const log = new RecordingLog();
    const [created] = log.record(org.createOrganization('root'));
    created.metadata.occurredAt = '2025-03-01T10:00:00+01:00';
    const [entry] = project(auditLogProjection, [created]).dump('audit_log');
    expect(entry.document.occurredAt).toBe('2025-03-01T09:00:00.000Z');
  });
});
