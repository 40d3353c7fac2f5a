import { versionChanges } from '../../projections/document-change';
import { asOfProjection } from '../../projections/as-of.projection';
import { decode } from '../../src/domain/events/decode';
import { call, Journey } from '../support/api-client';
import { startTestServer, type TestServer } from '../support/test-server';
import { loggedEvents } from './event-log';
import { expectAccepted, expectProblem } from './expectations';

/**
 * An as-of answer is about an instant already past, so a read model that has not applied the log
 * up to that instant answers wrong, not stale: an auditor asking who could act just after a
 * revocation was told the revoked key was ACTIVE, while the projector lagged (found by the
 * lifecycle probe). A server without the projector role: the as-of model is projected by hand.
 */
describe('as-of while the read model is behind the log', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ ROLES: 'api', MIN_POSITION_WAIT_MS: '300' });
  });
  afterAll(() => server.close());

  /** Projects the as-of model by hand up to the log's last event, as the projector would. */
  async function project(): Promise<void> {
    const events = (await loggedEvents(server)).map((event) => decode(event));
    const changes = events.flatMap((event) => versionChanges(event.position, asOfProjection.project(event)));
    await server.readModels.apply(asOfProjection.name, await server.readModels.activeGeneration(asOfProjection.name), changes, events[events.length - 1].position);
  }
  const pause = () => new Promise((resolve) => setTimeout(resolve, 5));

  it('answers no instant from a model that lacks events the log held when asked: 503 READ_MODEL_BEHIND, then the right answer once it has them', async () => {
    const journey = new Journey(server);
    const alice = await journey.createOrg('alice');
    await journey.activeKey(alice, alice);
    const bob = await journey.addAgent(alice, 'bob', 'ADMIN');
    await journey.activeKey(bob, alice);
    const auditor = await journey.addAgent(alice, 'zoe', 'AUDITOR');
    await project();
    await pause();
    const beforeRevocation = new Date().toISOString();
    await pause();
    expectAccepted(await journey.revokeKey(alice, 'bob', 'Laptop stolen'));
    await pause();
    const afterRevocation = new Date().toISOString();
    const asOf = (at: string) => call(server, 'GET', `/v1/orgs/${alice.orgId}/as-of?at=${encodeURIComponent(at)}`, auditor.token);

    const behind = await asOf(afterRevocation);
    expectProblem(behind, 503, 'READ_MODEL_BEHIND');

    await project();
    const agentsAt = async (at: string) => {
      const reply = await asOf(at);
      expect(reply.status).toBe(200);
      return reply.body.agents.map((agent: { agentId: string }) => agent.agentId);
    };
    expect(await agentsAt(afterRevocation)).toEqual(['alice']);
    expect(await agentsAt(beforeRevocation)).toEqual(['alice', 'bob']);
  });
});
