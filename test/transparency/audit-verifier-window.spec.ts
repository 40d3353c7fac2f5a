import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { EXIT } from '../../src/cli/exit-codes';
import { runCli } from '../../src/cli/run-cli';
import { AuditVerifier } from '../../src/transparency/audit-verifier';
import { DEFAULT_PENDING_WINDOW } from '../../src/transparency/log-integrity';
import { verifierKeyText } from '../../src/transparency/signed-note';
import { memoryIo } from '../cli/support/memory-io';
import { LOG_SIGNER, SyntheticExport } from './support/synthetic-export';

/**
 * The offline verifier's memory on a tail no checkpoint covers, and the checkpoint that lands
 * further behind the events before it than the leaves it keeps: checked on a second read.
 */
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const verifier = (pendingWindow?: number) => new AuditVerifier({ logKey: LOG_SIGNER, ...(pendingWindow && { pendingWindow }) });

/** Heap and off-heap bytes (a leaf hash is a Buffer: both) once garbage is collected. */
function memory(): number {
  gc();
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
}

describe('audit verifier: bounded memory, second read', () => {
  it('keeps at most twice its window of leaf hashes on a tail no checkpoint covers: 50,000 more events add no memory but their ids', () => {
    // A window of 1,000 (the default's tenth) shows the bound as well and reads a quarter of the events.
    const audit = verifier(1_000);
    const log = new SyntheticExport((line) => audit.push(line)).checkpoint();
    log.directoryChanges(5_000, false);
    const before = memory();
    log.directoryChanges(50_000, false);
    const grown = memory() - before;
    expect(audit.failed).toBeUndefined();
    // One hash kept per event (no fold) grew 12 MB here; the window's 2,000 (and up to 4,096 folded, until compacted) are held already at 5,000: 0.3 MB grown.
    // Beside them, the event ids read (each given once: event-ids.ts), 16 bytes of key and a Map's entry, about 50 bytes an event (seen: 58 with the window), and the table they grew out of, which the platform frees later.
    const ids = 81 * 55_002;
    expect(grown).toBeLessThan((2 << 20) + ids);
    expect(audit.finish()).toMatchObject({ ok: true, orgs: [{ events: 55_002, checkpoints: 1, uncovered: 55_000, verifiedSize: 55_002 }] });
  });

  /** The export with line `at`, bob's addition, naming him otherwise: its replay holds, its leaf differs. */
  const withEdited = (log: SyntheticExport, at: number): string => {
    const edited = log.lines.map((line, index) => (index === at ? line.replace('"displayName":"Bob"', '"displayName":"Robert"') : line));
    expect(edited[at]).not.toBe(log.lines[at]);
    return edited.map((line) => `${line}\n`).join('');
  };

  it('checks a checkpoint signing a size its edge had passed on a second read of the file: verified, or refused naming it, or the file changed between the reads', () => {
    // Lines 1-12 events, 13 a checkpoint of them, 14-43 events, 44 a checkpoint of 17 events (26 behind, the window 4), 45-47 events.
    const log = new SyntheticExport().directoryChanges(10).checkpoint();
    log.directoryChanges(30).checkpoint(17).directoryChanges(3);
    const audit = verifier(4);
    audit.pushText(log.text());
    const again = audit.secondRead();
    expect(again).toBeDefined();
    again!.pushText(log.text());
    expect(audit.finish()).toMatchObject({ ok: true, orgs: [{ events: 45, checkpoints: 2, lastCheckpoint: { size: 17 }, uncovered: 28 }] });

    // Without the second read, no verdict: the root was not checked.
    const unread = verifier(4);
    unread.pushText(log.text());
    expect(unread.finish()).toMatchObject({ ok: false, failure: { line: 0, reason: expect.stringMatching(/^the checkpoint on line 44 signs a size .* read a second time/) } });

    // An event only that checkpoint covers (line 14, event 12), edited: the second read finds it.
    const text = withEdited(log, 13);
    const tampered = verifier(4);
    tampered.pushText(text);
    tampered.secondRead()!.pushText(text);
    expect(tampered.finish()).toMatchObject({ ok: false, failure: { line: 0, reason: `org acme: events 12 to 16 do not hash to the root signed by the checkpoint on line 44: one of them was altered, removed, inserted or reordered` } });

    // The file edited between the reads, the second genuine: the first read's events, replayed, are not vouched for by the second's.
    const swapped = verifier(4);
    swapped.pushText(text);
    swapped.secondRead()!.pushText(log.text());
    expect(swapped.finish()).toMatchObject({ ok: false, failure: { line: 0, reason: expect.stringMatching(/^org acme: events 0 to 44 do not hash to the root signed by the first read of the file \(it changed while it was verified\)/) } });
  });

  it('the CLI reads the file twice when a checkpoint lands further behind than the window: the checkpoint verifies (exit 9 only for the tail no checkpoint signs), and 6 when a covered event was edited', async () => {
    const work = mkdtempSync(join(tmpdir(), 'ztkeys-window-'));
    try {
      // A checkpoint of 13 events after 20,000 more than the default window's twice.
      const log = new SyntheticExport().directoryChanges(10).checkpoint().directoryChanges(1);
      log.directoryChanges(2 * DEFAULT_PENDING_WINDOW + 10, false).checkpoint(13);
      const run = async (text: string) => {
        const file = join(work, 'audit.ndjson');
        writeFileSync(file, text);
        const io = memoryIo({ ZTKEYS_HOME: work });
        return { code: await runCli(['audit', 'verify', file, '--log-key', verifierKeyText(LOG_SIGNER)], io), stderr: io.stderr.text };
      };
      expect(await run(log.text())).toMatchObject({ code: EXIT.UNCOVERED, stderr: expect.stringContaining(`NOT VERIFIED past its last checkpoint: ${log.size - 13} events of org acme after its checkpoint of size 13 are signed by no checkpoint`) });
      expect(await run(withEdited(log, 13))).toMatchObject({ code: EXIT.TAMPERED, stderr: expect.stringContaining(`do not hash to the root signed by the checkpoint on line ${log.lines.length}`) });
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
