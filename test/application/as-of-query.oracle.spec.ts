import { versionChanges } from '../../projections/document-change';
import { asOfProjection } from '../../projections/as-of.projection';
import type { AgentAsOf } from '../../src/application/queries/as-of-answer';
import { AsOfQuery } from '../../src/application/queries/as-of-query';
import { browserDecider } from '../../src/domain/browser/browser.decider';
import { decode } from '../../src/domain/events/decode';
import { organizationDecider } from '../../src/domain/organization/organization.decider';
import { roleOf } from '../../src/domain/organization/organization.state';
import { fold } from '../../src/domain/shared/decider';
import { keyDecider } from '../../src/domain/signature-key/key.decider';
import { activeKeyOf } from '../../src/domain/signature-key/key.state';
import { agentStream, browserStream, orgStream } from '../../src/domain/streams';
import type { RecordedEvent } from '../../src/event-store/event-store.port';
import { RecordingLog } from '../projections/support/recording-log';
import { seededRandom, syntheticCommands } from '../read-models/fixtures/synthetic-log';
import { asOfAnswered } from './support/as-of-answered';
import { storeKinds } from '../read-models/support/read-model-fixture';

const FAR_FUTURE = new Date('2100-01-01T00:00:00Z');
const BROWSERS = ['chrome.laptop', 'edge.v2', 'firefox']; // in the order the answer lists them

/**
 * The as-of answer against the write side's own reading of the same log: at an instant T, each
 * agent's role, ACTIVE key and remembered browsers as the deciders' evolve folds the events up to
 * T, and a REMEMBERED task asked of the browser decider at T. The as-of model is a projection of
 * its own, so this is what keeps its windows and roles the rules the write side enforces (R10, R11).
 */
function byTheDeciders(events: readonly RecordedEvent[], orgId: string, at: Date): AgentAsOf[] {
  const past = events.filter((event) => event.metadata.orgId === orgId && Date.parse(event.metadata.occurredAt) <= at.getTime()).map((event) => decode(event));
  const ofStream = (stream: string) => past.filter((event) => event.stream === stream);
  const organization = fold(organizationDecider, ofStream(orgStream(orgId)) as never);
  const now = at.toISOString();
  const agents: AgentAsOf[] = [];
  for (const [agentId] of organization.agents) {
    const role = roleOf(organization, agentId);
    const keys = fold(keyDecider, ofStream(agentStream(orgId, agentId)) as never);
    const activeKey = activeKeyOf(keys);
    if (!role || !activeKey) continue;
    const approval = past.find((event) => event.type === 'KeyApproved' && event.data.requestId === activeKey.requestId) as RecordedEvent;
    const rememberedBrowsers = BROWSERS.flatMap((browserId) => {
      const browser = fold(browserDecider, ofStream(browserStream(orgId, agentId, browserId)) as never);
      const [event] = browserDecider.decide({ type: 'AuthorizeSensitiveTask', orgId, agentId, browserId, role, task: 'probe', activeKey, now }, browser).events;
      if (event.type !== 'SensitiveTaskAuthorized' || event.data.method !== 'REMEMBERED') return [];
      return [{ browserId, signedAt: browser.lastSignature?.at as string, until: event.data.validUntil }];
    });
    agents.push({
      agentId,
      role,
      key: { requestId: activeKey.requestId, fingerprint: activeKey.fingerprint, mode: keys.requests.get(activeKey.requestId)?.mode as never, activeSince: approval.metadata.occurredAt },
      rememberedBrowsers,
    });
  }
  return agents.sort((a, b) => (a.agentId < b.agentId ? -1 : 1));
}

describe.each(storeKinds('as-of query against the deciders'))('who could act at an instant, as the deciders fold the log, on $name', (kind) => {
  let opened: Awaited<ReturnType<typeof kind.open>>;
  let query: AsOfQuery;
  const log = new RecordingLog();
  // Half an hour between commands: over ~12 days DAILY windows open and close, WEEKLY ones span key changes.
  for (const command of syntheticCommands({ orgs: 2, agentsPerOrg: 8, commands: 600, seed: 21, secondsBetweenCommands: 1800 })) log.record(command);
  const orgIds = [...new Set(log.events.map((event) => event.metadata.orgId))];

  beforeAll(async () => {
    opened = await kind.open();
    await opened.store.init();
    query = new AsOfQuery(opened.store);
    const changes = log.events.flatMap((event) => versionChanges(event.position, asOfProjection.project(decode(event))));
    await opened.store.apply('as-of', await opened.store.activeGeneration('as-of'), changes, log.events[log.events.length - 1].position);
  });
  afterAll(() => opened.cleanup());

  it('exercises what it compares: remembered windows open, closed by time, by a logout and by a key change', () => {
    const types = new Set(log.events.map((event) => event.type));
    for (const type of ['SensitiveTaskAuthorized', 'PromptFrequencyChanged', 'KeyRevoked', 'AgentRoleChanged', 'AgentRemoved']) expect(types).toContain(type);
  });

  it('gives, at every instant tried, the agents, roles, keys and remembered browsers the deciders give', async () => {
    const random = seededRandom(5);
    const times = log.events.map((event) => Date.parse(event.metadata.occurredAt));
    // At events, a millisecond either side of them, between them, and after windows ran out.
    const tried = [times[0] - 1, ...times.filter(() => random() < 0.08).flatMap((t) => [t - 1, t, t + 1, t + Math.floor(random() * 3 * 24 * 3600 * 1000)])];
    // FerretDB answers an as-of query in ~70 ms, 7 times SQLite: a third of the same instants there.
    const instants = kind.name === 'mongodb' ? tried.filter((_, i) => i % 3 === 0) : tried;
    let remembered = 0;
    for (const orgId of orgIds) {
      for (const instant of instants) {
        const at = new Date(instant);
        const expected = byTheDeciders(log.events, orgId, at);
        remembered += expected.reduce((n, agent) => n + agent.rememberedBrowsers.length, 0);
        expect({ at: at.toISOString(), agents: (await asOfAnswered(query.whoCouldAct(orgId, at, FAR_FUTURE))).agents }).toEqual({ at: at.toISOString(), agents: expected });
      }
    }
    // Not a comparison of empty answers.
    expect(remembered).toBeGreaterThan(50);
  });
});
