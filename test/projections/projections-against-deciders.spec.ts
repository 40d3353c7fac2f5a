import { versionChanges } from '../../projections/document-change';
import { agentBrowserId, agentStatusId, orgStatusProjection, type AgentBrowserDocument, type AgentStatusDocument, type KeyStatus } from '../../projections/org-status.projection';
import { pendingKeysProjection, type PendingKeyDocument } from '../../projections/pending-keys.projection';
import { browserDecider } from '../../src/domain/browser/browser.decider';
import { effectiveFrequency, type BrowserState } from '../../src/domain/browser/browser.state';
import { decode } from '../../src/domain/events/decode';
import type { LogEvent } from '../../src/domain/events/event-catalogue';
import { organizationDecider } from '../../src/domain/organization/organization.decider';
import type { OrganizationState } from '../../src/domain/organization/organization.state';
import type { StreamFold } from '../../src/application/stream-states';
import { keyDecider } from '../../src/domain/signature-key/key.decider';
import type { KeyState } from '../../src/domain/signature-key/key.state';
import { agentStream, browserStream, orgStream } from '../../src/domain/streams';
import { seededRandom, syntheticCommands } from '../read-models/fixtures/synthetic-log';
import { InMemoryDocuments } from '../../projections/in-memory-documents';
import { RecordingLog } from './support/recording-log';

const BROWSERS = ['chrome.laptop', 'edge.v2', 'firefox'];

/** Every stream's state as the write side folds it, event by event, with the deciders' own evolve. */
class DeciderStates {
  private readonly states = new Map<string, unknown>();

  evolve(stream: string, event: LogEvent): void {
    const decider = this.deciderOf(stream);
    this.states.set(stream, decider.evolve(this.states.get(stream) ?? decider.initialState, event));
  }

  state<S>(stream: string): S {
    return (this.states.get(stream) ?? this.deciderOf(stream).initialState) as S;
  }

  private deciderOf(stream: string): StreamFold<unknown> {
    if (stream.startsWith('org-')) return organizationDecider as StreamFold<unknown>;
    if (stream.startsWith('agent-')) return keyDecider as StreamFold<unknown>;
    if (stream.startsWith('browser-')) return browserDecider as StreamFold<unknown>;
    throw new Error(`no decider folds ${stream}`);
  }
}

/**
 * The key statuses the zero-trust status may show, from the key stream's state: ACTIVE while a key
 * is held, PENDING while a request waits, else the fate of the last request or of the last key,
 * whichever came later. The state keeps no order between a request's end and a key's revocation
 * (a request rejected, then the key it would have replaced revoked; a change to AUDITOR cancels,
 * then revokes), so once a key was revoked, REVOKED is the other status that may show. A CANCELLED
 * request (replaced by a new one, or gone with the agent's change to AUDITOR) shows NONE.
 */
function keyStatusesOf(keys: KeyState): KeyStatus[] {
  if (keys.active) return ['ACTIVE'];
  if (keys.pendingRequestId !== undefined) return ['PENDING'];
  const last = [...keys.requests.values()].pop();
  if (!last) return ['NONE'];
  const fate: KeyStatus = last.status === 'CANCELLED' ? 'NONE' : last.status === 'APPROVED' ? 'ACTIVE' : (last.status as KeyStatus);
  return keys.revokedFingerprints.size > 0 && fate !== 'REVOKED' ? [fate, 'REVOKED'] : [fate];
}

/**
 * The org-status and pending-keys read models against the write side's own reading of the same
 * log: after commands all along a seeded log, each agent's role, key status, ACTIVE key, last
 * request, each browser's prompt frequency (R10's reset at a key change included) and the list of
 * PENDING requests are what the deciders' states say. The projections map events to documents on
 * their own, so this is what keeps the two readings of the log one.
 */
describe('projections against the deciders folding the same log', () => {
  const log = new RecordingLog();
  const states = new DeciderStates();
  const documents = new InMemoryDocuments();
  const random = seededRandom(3);
  const checkpoints: Array<() => void> = [];
  const agentsSeen = new Set<string>();
  const statusesSeen = new Set<unknown>();

  for (const command of syntheticCommands({ orgs: 3, agentsPerOrg: 10, commands: 1500, seed: 13, secondsBetweenCommands: 600 })) {
    for (const event of log.record(command)) {
      const decoded = decode(event);
      states.evolve(event.stream, decoded);
      for (const projection of [orgStatusProjection, pendingKeysProjection]) documents.apply(versionChanges(event.position, projection.project(decoded)));
    }
    if (random() < 0.1) checkpoints.push(compareNow(states, documents, log.events[log.events.length - 1].metadata.orgId, agentsSeen, statusesSeen));
  }

  it('exercises what it compares: every key status but LOCKED, every prompt frequency, and requests pending', () => {
    // LOCKED takes five wrong codes on one request: the seeded log has none (pending-keys.projection.spec.ts covers it).
    for (const status of ['ACTIVE', 'PENDING', 'REVOKED', 'REJECTED', 'NONE']) expect(statusesSeen).toContain(status);
    // A browser at EVERY_TASK has no document (compared as such above, browser by browser): those kept remember a signature.
    expect(new Set(documents.dump('agent_browsers').map(({ document }) => (document as AgentBrowserDocument).promptFrequency))).toEqual(new Set(['DAILY', 'WEEKLY']));
    expect(documents.dump('pending_keys').length).toBeGreaterThan(0);
    expect(checkpoints.length).toBeGreaterThan(100);
  });

  it('gives each agent, browser and pending request the state the deciders fold, after every command compared', () => {
    for (const compare of checkpoints) compare();
    expect(agentsSeen.size).toBeGreaterThan(20);
  });
});

/** What the read models say of one org now, against the deciders' states now; compared when the returned check runs. */
function compareNow(states: DeciderStates, documents: InMemoryDocuments, orgId: string, agentsSeen: Set<string>, statusesSeen: Set<unknown>): () => void {
  const organization = states.state<OrganizationState>(orgStream(orgId));
  const expected: unknown[] = [];
  const actual: unknown[] = [];
  const expectedPending: unknown[] = [];
  for (const [agentId, entry] of organization.agents) {
    agentsSeen.add(`${orgId}/${agentId}`);
    const keys = states.state<KeyState>(agentStream(orgId, agentId));
    const last = [...keys.requests.values()].pop();
    const status = documents.get('agent_status', agentStatusId(orgId, agentId)) as AgentStatusDocument | undefined;
    const statuses = keyStatusesOf(keys);
    if (statuses.length === 1) statusesSeen.add(statuses[0]);
    expected.push({
      agentId,
      role: entry.role,
      keyStatus: statuses.length === 1 ? statuses[0] : expect.stringMatching(new RegExp(`^(${statuses.join('|')})$`)),
      activeKey: keys.active && { requestId: keys.active.requestId, publicKey: keys.active.publicKey, fingerprint: keys.active.fingerprint, mode: keys.requests.get(keys.active.requestId)?.mode },
      lastRequest: last && { requestId: last.requestId, fingerprint: last.fingerprint, status: last.status === 'REVOKED' ? 'APPROVED' : last.status, failedAttempts: last.failedAttempts },
      browsers: BROWSERS.map((browserId) => effectiveFrequency(states.state<BrowserState>(browserStream(orgId, agentId, browserId)), keys.active)),
    });
    actual.push({
      agentId,
      role: status?.role,
      keyStatus: status?.keyStatus,
      activeKey: status?.activeKey ? { requestId: status.activeKey.requestId, publicKey: status.activeKey.publicKey, fingerprint: status.activeKey.fingerprint, mode: status.activeKey.mode } : undefined,
      lastRequest: status?.lastRequest ? { requestId: status.lastRequest.requestId, fingerprint: status.lastRequest.fingerprint, status: status.lastRequest.status, failedAttempts: status.lastRequest.failedAttempts } : undefined,
      browsers: BROWSERS.map((browserId) => (documents.get('agent_browsers', agentBrowserId(orgId, agentId, browserId)) as AgentBrowserDocument | undefined)?.promptFrequency ?? 'EVERY_TASK'),
    });
    const pending = keys.pendingRequestId === undefined ? undefined : keys.requests.get(keys.pendingRequestId);
    if (pending) expectedPending.push({ agentId, requestId: pending.requestId, fingerprint: pending.fingerprint, failedAttempts: pending.failedAttempts });
  }
  const pendingNow = documents
    .dump('pending_keys')
    .map(({ document }) => document as PendingKeyDocument)
    .filter((document) => document.orgId === orgId)
    .map(({ agentId, requestId, fingerprint, failedAttempts }) => ({ agentId, requestId, fingerprint, failedAttempts }));
  const byAgent = (a: unknown, b: unknown) => ((a as { agentId: string }).agentId < (b as { agentId: string }).agentId ? -1 : 1);
  const agentsNow = documents.dump('agent_status').filter(({ document }) => (document as AgentStatusDocument).orgId === orgId).length;
  return () => {
    expect(actual).toEqual(expected);
    // Nobody removed lingers in the status, and no request outside the deciders' is listed as pending.
    expect(agentsNow).toBe(organization.agents.size);
    expect(pendingNow.sort(byAgent)).toEqual(expectedPending.sort(byAgent));
  };
}
