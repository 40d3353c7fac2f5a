import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { decode } from '../../src/domain/events/decode';
import { versionChanges } from '../../projections/document-change';
import { PROJECTIONS } from '../../projections/projections';
import { COLLECTIONS } from '../../projections/document-change';
import { syntheticCommands } from '../read-models/fixtures/synthetic-log';
import { InMemoryDocuments } from '../../projections/in-memory-documents';
import { project, RecordingLog } from './support/recording-log';

const log = new RecordingLog();
for (const command of syntheticCommands({ orgs: 2, agentsPerOrg: 6, commands: 400, seed: 7 })) log.record(command);
const events = log.events;

const snapshot = (documents: InMemoryDocuments) => COLLECTIONS.map((collection) => documents.dump(collection));

describe.each(Object.values(PROJECTIONS))('$name projection replayed after a crash', (projection) => {
  const clean = snapshot(project(projection, events));

  it('gives the same documents whatever was applied past the checkpoint before the crash', () => {
    fc.assert(
      fc.property(fc.nat(events.length), fc.nat(events.length), fc.nat(4), (a, b, partial) => {
        const checkpoint = Math.min(a, b);
        const crashedAt = Math.max(a, b);
        const documents = project(projection, events.slice(0, crashedAt));
        // The crash also cut the changes of the next event short.
        const next = events[crashedAt];
        if (next) documents.apply(versionChanges(next.position, projection.project(decode(next))).slice(0, partial));
        project(projection, events.slice(checkpoint), documents);
        // toEqual decides, but only where the documents differ at all: its walk of an equal audit trail
        // took nine tenths of the test's time.
        const replayed = snapshot(documents);
        if (!isDeepStrictEqual(replayed, clean)) expect(replayed).toEqual(clean);
      }),
      { numRuns: 60 },
    );
  });

  it('never takes a document back to an older state while it replays', () => {
    // Every document is compared after every replayed event: a shorter log keeps that quick.
    const head = events.slice(0, 150);
    fc.assert(
      fc.property(fc.nat(head.length), fc.nat(head.length), (a, b) => {
        const [checkpoint, crashedAt] = [Math.min(a, b), Math.max(a, b)];
        const documents = project(projection, head.slice(0, crashedAt));
        const before = new Map(snapshot(documents).flat().map((d) => [d.id, d.version]));
        // Gathered, then asserted once: an expect() for each document after each event took most of the time.
        const wentBack: Array<{ id: string; version: string; before: string | undefined }> = [];
        for (const event of head.slice(checkpoint, crashedAt)) {
          documents.apply(versionChanges(event.position, projection.project(decode(event))));
          for (const { id, version } of snapshot(documents).flat()) {
            if (!(version >= (before.get(id) ?? ''))) wentBack.push({ id, version, before: before.get(id) });
          }
        }
        expect(wentBack).toEqual([]);
      }),
      { numRuns: 15 },
    );
  });
});
