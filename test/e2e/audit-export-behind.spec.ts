import { versionChanges } from '../../projections/document-change';
import { auditLogProjection } from '../../projections/audit-log.projection';
import { decode } from '../../src/domain/events/decode';
import { call, Journey } from '../support/api-client';
import { dropMongoDatabase, readModelStores } from '../support/mongo-database';
import { startTestServer, type TestServer } from '../support/test-server';
import { loggedEvents } from './event-log';
import { expectProblem } from './expectations';

const stores = readModelStores('ztkeys_e2e_export_behind', 'an export while the audit-log model is behind');

/**
 * The export is "the whole log" (API v1): an answer that lacks events the log held when it was
 * asked for is not that. On MongoDB the audit trail is a read model, and an export sent while it
 * lagged answered 200 with what the model held, an empty file for a new org, with nothing to tell
 * the compliance reader it was partial (found by the API probe). A server without the projector
 * role: the model is projected by hand. Embedded, the trail is the log's own table: never behind.
 */
describe.each(stores)('the audit export while the audit-log read model is behind the log (%s)', (name, env) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ ...env, ROLES: 'api', MIN_POSITION_WAIT_MS: '300' });
  });
  afterAll(async () => {
    await server.close();
    if (env.MONGODB_URL) await dropMongoDatabase(env.MONGODB_URL);
  });

  /** Projects the audit-log model by hand up to the log's last event, as the projector would. */
  async function project(): Promise<void> {
    const events = (await loggedEvents(server)).map((event) => decode(event));
    const changes = events.flatMap((event) => versionChanges(event.position, auditLogProjection.project(event)));
    await server.readModels.apply(auditLogProjection.name, await server.readModels.activeGeneration(auditLogProjection.name), changes, events[events.length - 1].position);
  }

  it('answers 503 READ_MODEL_BEHIND rather than a part of the log, then the whole log once the model has it', async () => {
    const journey = new Journey(server);
    const alice = await journey.createOrg('alice');
    await journey.addAgent(alice, 'bob', 'MEMBER');
    const logged = (await loggedEvents(server, alice.orgId)).map((event) => event.id);
    const exportLog = () => call(server, 'GET', `/v1/orgs/${alice.orgId}/audit-log/export`, alice.token);

    if (name === 'MongoDB') {
      expectProblem(await exportLog(), 503, 'READ_MODEL_BEHIND');
      await project();
    }
    const whole = await exportLog();
    expect(whole.status).toBe(200);
    const exported = (whole.body as string).trim().split('\n').map((line) => JSON.parse(line) as { eventId: string; type: string });
    expect(exported.filter((entry) => entry.type !== 'CheckpointSigned').map((entry) => entry.eventId)).toEqual(logged);
  });
});
