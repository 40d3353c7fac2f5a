/**
 * A projector process killed for real (SIGKILL) in the middle of its catch-up resumes from its
 * checkpoints: the read models then equal a rebuild from scratch, every event is in the audit
 * trail exactly once, and every document has the version of the last event that changed it.
 */
import { PROJECTIONS } from '../../projections/projections';
import { ProjectionRunner } from '../../src/read-models/projection-runner';
import { appendAll, syntheticCommands } from './fixtures/synthetic-log';
import { countedByKeyStatus } from './support/counted-documents';
import { dumpAll, openEventLog, readWholeLog, referenceDump, startRunners, storeKinds, waitUntilCaughtUp } from './support/read-model-fixture';
import { killMidCatchUp } from '../support/kill-mid-catch-up';

describe.each(storeKinds('projector crash test'))('projector killed mid-catch-up on $name', (kind) => {
  it('resumes from its checkpoints: no event skipped, none applied twice, same as a rebuild', async () => {
    const log = openEventLog();
    const opened = await kind.open();
    try {
      // Over a thousand events: the kill at a third of them lands after some fifteen of the child's batches of
      // 25, which stops at two thirds to wait for it (the kill may still land inside a write).
      const appended = await appendAll(log.events, syntheticCommands({ orgs: 4, agentsPerOrg: 25, commands: 1000, seed: 11 }));
      const head = (await log.events.headPosition()) as bigint;
      expect(appended).toBeGreaterThan(1000);

      // The child is the built fixture (npm test builds first): no TypeScript compiled in it at each start.
      const killedAt = await killMidCatchUp(['dist/test/read-models/fixtures/run-projections.js', log.path, '25', ...opened.childArgs], head, 'projector');
      await opened.store.init();
      const checkpoints = await Promise.all(Object.values(PROJECTIONS).map((p) => opened.store.checkpoint(p.name)));
      // The kill really landed mid-catch-up: something was applied, not everything.
      expect(checkpoints.some((c) => c !== undefined && c > 0n)).toBe(true);
      expect(checkpoints.some((c) => c === undefined || c < head)).toBe(true);
      expect(killedAt).toBeLessThan(Number(head));

      const resumed = await startRunners(log.events, opened.store, { batchSize: 100 });
      // On FerretDB (a few ms a write, more with the machine loaded) the catch-up alone can take minutes.
      await waitUntilCaughtUp(log.events, opened.store, 240_000);
      await resumed.stop();

      const events = await readWholeLog(log.events);
      const audit = await opened.store.dump('audit_log');
      expect(audit.length).toBe(events.length);
      expect(audit.map((d) => d.document.position).sort((a, b) => Number(a) - Number(b))).toEqual(events.map((e) => Number(e.position)));

      // A rebuild from scratch, into fresh generations.
      const rebuilt: Record<string, number> = {};
      for (const projection of Object.values(PROJECTIONS)) rebuilt[projection.name] = await opened.store.createGeneration(projection.name);
      const runner = new ProjectionRunner(log.events, opened.store, Object.values(PROJECTIONS), { generations: rebuilt, batchSize: 500 });
      await runner.start();
      while (runner.position !== head) await new Promise((r) => setTimeout(r, 20));
      await runner.stop();
      const resumedDump = await dumpAll(opened.store);
      expect(resumedDump).toEqual(await dumpAll(opened.store, rebuilt));
      expect(resumedDump).toEqual(referenceDump(events));
      // The org totals, kept beside the documents without a transaction, neither lost nor doubled a move.
      for (const orgId of new Set(events.map((event) => event.metadata.orgId))) {
        const counts = async (generation?: number) => Object.fromEntries(await opened.store.counts({ collection: 'agent_status', group: orgId, generation }));
        expect(await counts()).toEqual(countedByKeyStatus(await opened.store.dump('agent_status'), orgId));
        expect(await counts(rebuilt['org-status'])).toEqual(await counts());
      }
    } finally {
      await opened.cleanup();
      await log.cleanup();
    }
    // A crash and a full catch-up on FerretDB (a few ms per write) take most of a minute in CI, minutes on a loaded machine.
  }, 420_000);
});
