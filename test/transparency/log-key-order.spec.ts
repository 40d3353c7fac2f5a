import { decode } from '../../src/domain/events/decode';
import type { RecordedEvent } from '../../src/event-store/event-store.port';
import { AuditVerifier } from '../../src/transparency/audit-verifier';
import { eventLeafInput } from '../../src/transparency/event-leaf';
import { checkpointEvent } from '../../src/transparency/log-checkpointer';
import { checkpointStream } from '../../src/domain/streams';
import { LogIntegrityCheck } from '../../src/transparency/log-integrity';
import { CompactRange, leafHash } from '../../src/transparency/merkle-tree';
import { signerFromSeed, type NoteSigner } from '../../src/transparency/signed-note';
import { newEvent } from '../event-store/event-factory';
import { LOG_SIGNER, SyntheticExport } from './support/synthetic-export';

/**
 * Rotating the log key (README): a retired key signs nothing after its successor did. Whoever still
 * holds it (the reason to rotate is often that it leaked) could otherwise sign an extension of the
 * log past every checkpoint of the new key, and auditors, who list the retired key so that the old
 * checkpoints verify, would accept it.
 */
const NEW_SIGNER = signerFromSeed('test.local/audit-log-2', Buffer.alloc(32, 4));

const verify = (log: SyntheticExport, trustedCheckpoint?: string) => {
  const audit = new AuditVerifier({ logKey: NEW_SIGNER, earlierLogKeys: [LOG_SIGNER], ...(trustedCheckpoint && { trustedCheckpoint }) });
  audit.pushText(log.text());
  return audit.finish();
};

/** The note of the file's last checkpoint line: what an auditor saved. */
const lastNote = (log: SyntheticExport): string => JSON.parse(log.lines.filter((line) => line.includes('"CheckpointSigned"')).at(-1)!).data.note;

describe('log key rotation: a retired key signs nothing after its successor', () => {
  it('audit verify takes the old key before the new one, and refuses the old one after it', () => {
    const rotated = new SyntheticExport().directoryChanges(2).checkpoint().directoryChanges(2).checkpoint(undefined, NEW_SIGNER);
    expect(verify(rotated)).toMatchObject({ ok: true, orgs: [{ checkpoints: 2, uncovered: 0 }] });

    const back = new SyntheticExport().directoryChanges(2).checkpoint().directoryChanges(2).checkpoint(undefined, NEW_SIGNER).directoryChanges(2).checkpoint();
    expect(verify(back)).toMatchObject({
      ok: false,
      failure: { line: 11, orgId: 'acme', type: 'CheckpointSigned', reason: expect.stringContaining('signed by the retired log key test.local/audit-log+') },
    });
  });

  it('audit verify refuses a checkpoint of the retired key past a trusted checkpoint of its successor, also when the file holds none of the new key', () => {
    const honest = new SyntheticExport().directoryChanges(2).checkpoint(undefined, NEW_SIGNER);
    const trusted = lastNote(honest);
    // The same history, extended and signed by the leaked old key alone.
    const forged = new SyntheticExport().directoryChanges(2).checkpoint().directoryChanges(3).checkpoint();
    expect(verify(forged).ok).toBe(true);
    expect(verify(forged, trusted)).toMatchObject({ ok: false, failure: { line: 5, reason: expect.stringContaining('after its successor test.local/audit-log-2+') } });
  });

  it("the server's own check of the log finds the retired key signing after its successor", () => {
    const log: RecordedEvent[] = [];
    const leaves: RecordedEvent[] = [];
    const tree = CompactRange.empty();
    const checkpoint = (signer: NoteSigner, revision: number) =>
      log.push({ ...checkpointEvent(signer, 'org-1', tree, new Date(Date.UTC(2026, 0, 1, revision))), stream: checkpointStream('org-1'), revision: BigInt(revision), position: BigInt(log.length + 1) });
    for (const [index, signer] of [LOG_SIGNER, NEW_SIGNER, LOG_SIGNER].entries()) {
      const event = newEvent('AgentAdded', { agentId: `a-${index}`, email: `a-${index}@example.com`, displayName: `A ${index}`, role: 'MEMBER' });
      const record = { ...event, metadata: { ...event.metadata, orgId: 'org-1' }, stream: 'org-org-1', revision: BigInt(index), position: BigInt(log.length + 1) };
      log.push(record);
      leaves.push(record);
      tree.append(leafHash(eventLeafInput(decode(record))));
      checkpoint(signer, index);
    }
    const keyring = [LOG_SIGNER, NEW_SIGNER];
    const upTo = (count: number) => {
      const check = new LogIntegrityCheck(keyring);
      for (const record of log.slice(0, count)) check.apply(record);
      return check.faults();
    };
    expect(upTo(4)).toEqual([]);
    expect(upTo(6)).toEqual([{ orgId: 'org-1', index: 3, reason: expect.stringContaining('signed by the retired log key test.local/audit-log+') }]);
  });
});
