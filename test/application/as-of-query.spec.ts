import { versionChanges } from '../../projections/document-change';
import { asOfProjection } from '../../projections/as-of.projection';
import { AsOfQuery } from '../../src/application/queries/as-of-query';
import { InvalidQuery } from '../../src/application/queries/invalid-query';
import { asOfAnswered } from './support/as-of-answered';
import { decode } from '../../src/domain/events/decode';
import type { RecordedEvent } from '../../src/event-store/event-store.port';
import { OrgEventBuilder, type StreamEvent } from '../projections/support/org-event-builder';
import { RecordingLog } from '../projections/support/recording-log';
import { storeKinds } from '../read-models/support/read-model-fixture';

const ORG = 'org-1';
const HOUR = 3600;
const later = (iso: string, seconds: number): Date => new Date(Date.parse(iso) + seconds * 1000);
const before = (iso: string): Date => later(iso, -1);
const FAR_FUTURE = new Date('2100-01-01T00:00:00Z');

describe.each(storeKinds('as-of query'))('who could perform sensitive tasks at an instant, on $name', (kind) => {
  let opened: Awaited<ReturnType<typeof kind.open>>;
  let query: AsOfQuery;
  const org = new OrgEventBuilder(ORG, 60);
  const log = new RecordingLog();

  /** Records the command's events and applies the as-of projection to them; answers when it happened. */
  const record = async (events: StreamEvent[]): Promise<string> => {
    const recorded: RecordedEvent[] = log.record(events);
    const generation = await opened.store.activeGeneration('as-of');
    for (const event of recorded) {
      await opened.store.apply('as-of', generation, versionChanges(event.position, asOfProjection.project(decode(event))), event.position);
    }
    return recorded[0].metadata.occurredAt;
  };
  const who = async (at: Date) => (await asOfAnswered(query.whoCouldAct(ORG, at, FAR_FUTURE))).agents;

  beforeAll(async () => {
    opened = await kind.open();
    await opened.store.init();
    query = new AsOfQuery(opened.store);
  });
  afterAll(() => opened.cleanup());

  const times: Record<string, string> = {};
  it('records a history: keys, roles, windows, a key change, a logout and a removal', async () => {
    times.created = await record(org.createOrganization('root'));
    times.rootKey = await record(org.requestKey('root', 'r-root', true));
    await record(org.addAgent('root', 'alice', 'MEMBER'));
    await record(org.addAgent('root', 'bob', 'MEMBER'));
    await record(org.requestKey('alice', 'r-a1'));
    times.aliceKey = await record(org.approve('root', 'alice'));
    await record(org.requestKey('bob', 'r-b1'));
    times.bobKey = await record(org.approve('root', 'bob'));
    times.aliceDaily = await record(org.setPromptFrequency('alice', 'laptop', 'DAILY'));
    times.alicePhone = await record(org.sensitiveTask('alice', 'phone', 'remote-control'));
    times.bobWeekly = await record(org.setPromptFrequency('bob', 'desk', 'WEEKLY'));
    times.bobTask = await record(org.sensitiveTask('bob', 'desk', 'remote-control'));
    times.alicePromoted = await record(org.changeRole('root', 'alice', 'MEMBER', 'ADMIN'));
    org.wait(2 * HOUR);
    times.bobLogout = await record(org.logOut('bob', 'desk'));
    await record(org.requestKey('alice', 'r-a2'));
    times.aliceRotated = await record(org.approve('root', 'alice'));
    org.wait(30 * HOUR);
    times.bobRemoved = await record(org.removeAgent('root', 'bob', 'MEMBER'));
  });

  it('before any key, nobody; from the first key on, its holder and role', async () => {
    expect(await who(before(times.rootKey))).toEqual([]);
    expect(await who(new Date(times.rootKey))).toEqual([
      { agentId: 'root', role: 'SUPER_ADMIN', key: expect.objectContaining({ requestId: 'r-root', mode: 'FIRST_KEY', activeSince: times.rootKey }), rememberedBrowsers: [] },
    ]);
  });

  it('gives each agent their role then, their key then, and the browsers whose remembered window was open then', async () => {
    const agents = await who(later(times.alicePromoted, -1));
    expect(agents.map((a) => [a.agentId, a.role, a.key.requestId])).toEqual([
      ['alice', 'MEMBER', 'r-a1'],
      ['bob', 'MEMBER', 'r-b1'],
      ['root', 'SUPER_ADMIN', 'r-root'],
    ]);
    // A signature at EVERY_TASK (alice's phone) opens no window; DAILY and WEEKLY do, from the last signature.
    expect(agents[0].rememberedBrowsers).toEqual([{ browserId: 'laptop', signedAt: times.aliceDaily, until: later(times.aliceDaily, 24 * HOUR).toISOString() }]);
    expect(agents[1].rememberedBrowsers).toEqual([{ browserId: 'desk', signedAt: times.bobTask, until: later(times.bobTask, 168 * HOUR).toISOString() }]);
    expect((await who(new Date(times.alicePromoted)))[0].role).toBe('ADMIN');
  });

  it('closes a window at a logout and at a key change (R10), and shows the new key', async () => {
    const justBefore = await who(before(times.bobLogout));
    expect(justBefore.find((a) => a.agentId === 'bob')?.rememberedBrowsers.map((b) => b.browserId)).toEqual(['desk']);
    const afterRotation = await who(new Date(times.aliceRotated));
    expect(afterRotation.find((a) => a.agentId === 'bob')?.rememberedBrowsers).toEqual([]);
    const alice = afterRotation.find((a) => a.agentId === 'alice');
    expect(alice).toMatchObject({ role: 'ADMIN', key: { requestId: 'r-a2', mode: 'APPROVAL', activeSince: times.aliceRotated }, rememberedBrowsers: [] });
    expect((await who(before(times.aliceRotated))).find((a) => a.agentId === 'alice')?.rememberedBrowsers.map((b) => b.browserId)).toEqual(['laptop']);
  });

  it('ends a window when its time is up', async () => {
    const laptopEnds = later(times.aliceDaily, 24 * HOUR);
    expect(laptopEnds.getTime()).toBeGreaterThan(Date.parse(times.aliceRotated)); // the key change closed it first
    const fresh = new OrgEventBuilder('org-expiry', 60);
    await record(fresh.createOrganization('solo'));
    await record(fresh.requestKey('solo', 'r-solo', true));
    const signed = await record(fresh.setPromptFrequency('solo', 'b', 'DAILY'));
    const answer = (at: Date) => asOfAnswered(query.whoCouldAct('org-expiry', at, FAR_FUTURE));
    expect((await answer(later(signed, 24 * HOUR - 1))).agents[0].rememberedBrowsers).toHaveLength(1);
    expect((await answer(later(signed, 24 * HOUR))).agents[0].rememberedBrowsers).toEqual([]);
  });

  it('forgets nobody who left: the past still shows them, the present does not', async () => {
    expect((await who(before(times.bobRemoved))).map((a) => a.agentId)).toEqual(['alice', 'bob', 'root']);
    expect((await who(new Date(times.bobRemoved))).map((a) => a.agentId)).toEqual(['alice', 'root']);
  });

  it('refuses an instant later than now: the log does not know it yet', async () => {
    const now = new Date(times.bobRemoved);
    await expect(query.whoCouldAct(ORG, later(times.bobRemoved, 1), now)).rejects.toBeInstanceOf(InvalidQuery);
    await expect(asOfAnswered(query.whoCouldAct('another-org', now, now))).resolves.toEqual({ at: now.toISOString(), agents: [] });
  });
});
