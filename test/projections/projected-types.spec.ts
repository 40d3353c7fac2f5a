import { EVENT_CATALOGUE, type LogEvent } from '../../src/domain/events/event-catalogue';
import type { RecordedEvent } from '../../src/event-store/event-store.port';
import { PROJECTIONS } from '../../projections/projections';
import { syntheticCommands } from '../read-models/fixtures/synthetic-log';
import { RecordingLog } from './support/recording-log';

const log = new RecordingLog();
for (const command of syntheticCommands({ orgs: 2, agentsPerOrg: 6, commands: 400, seed: 7 })) log.record(command);
// Every field any event of the log has, so that a case of the projection that handles the type finds what it reads.
const data = Object.assign({}, ...log.events.map((event) => event.data)) as Record<string, unknown>;
const template = log.events[log.events.length - 1];

const declaring = Object.values(PROJECTIONS).filter((projection) => projection.types !== undefined);

describe.each(declaring)('$name projection', (projection) => {
  const others = Object.keys(EVENT_CATALOGUE).filter((type) => !projection.types?.has(type as LogEvent['type']));

  it('declares every type it makes changes for: its runner does not give it the others', () => {
    expect(others.length).toBeGreaterThan(0);
    for (const type of others) {
      const event = { ...template, type, data } as RecordedEvent<LogEvent>;
      expect({ type, changes: projection.project(event) }).toEqual({ type, changes: [] });
    }
  });
});
