import { AuditVerifier, type AuditVerifierOptions } from '../../src/transparency/audit-verifier';
import { LOG_SIGNER, SyntheticExport } from './support/synthetic-export';

/** A line no export holds: the verifier fails on it. */
const BROKEN = 'not json';

const verify = (lines: string[], options: Partial<AuditVerifierOptions> = {}) => {
  const verifier = new AuditVerifier({ logKey: LOG_SIGNER, ...options });
  verifier.pushText(lines.map((line) => `${line}\n`).join(''));
  return verifier.finish();
};

/** The note of an export's last checkpoint line: what an auditor saved. */
const lastNote = (log: SyntheticExport): string => JSON.parse(log.lines.filter((line) => line.includes('"CheckpointSigned"')).at(-1)!).data.note;

/**
 * How far a failed verification verified (AuditFailure.verified): by org, the events a checkpoint
 * whose root was checked signs, or the trusted checkpoint once matched; nothing where the failure
 * undoes them. Orgs `acme` and `beta` start with 2 events each; directory changes add one each.
 */
describe('what a failed verification still proves', () => {
  it("names each org's events up to its last checkpoint checked before the failure, and none of an org with no checkpoint yet", () => {
    const acme = new SyntheticExport().directoryChanges(2).checkpoint().directoryChanges(1);
    const beta = new SyntheticExport(undefined, 'beta').directoryChanges(1);
    const verdict = verify([...acme.lines, ...beta.lines, BROKEN]);
    expect(verdict.failure).toEqual({ line: 10, reason: 'the line is not JSON', verified: [{ orgId: 'acme', events: 4, checkpointLine: 5 }] });
  });

  it('counts the trusted checkpoint once the lines before the failure matched it, and no checkpoint of the file before it is reached', () => {
    // Of size 6, on line 8 of the same history.
    const trusted = lastNote(new SyntheticExport().directoryChanges(2).checkpoint().directoryChanges(2).checkpoint());
    const file = new SyntheticExport().directoryChanges(2).checkpoint().directoryChanges(2);
    expect(verify([...file.lines, BROKEN]).failure?.verified).toEqual([{ orgId: 'acme', events: 4, checkpointLine: 5 }]);
    // Size 6 is not reached before the failure: the file's checkpoint of size 4 may be of another history than the one trusted.
    expect(verify([...file.lines, BROKEN], { trustedCheckpoint: trusted }).failure?.verified).toEqual([]);
    // Reached (the tree's edge moves past it as leaves come), though no checkpoint of the file signs it.
    const more = new SyntheticExport().directoryChanges(2).checkpoint().directoryChanges(8);
    expect(verify([...more.lines, BROKEN], { trustedCheckpoint: trusted, pendingWindow: 2 }).failure?.verified).toEqual([{ orgId: 'acme', events: 6 }]);
    // A checkpoint of the file past it counts from then on.
    const past = new SyntheticExport().directoryChanges(2).checkpoint().directoryChanges(4).checkpoint().directoryChanges(1);
    expect(verify([...past.lines, BROKEN], { trustedCheckpoint: trusted }).failure?.verified).toEqual([{ orgId: 'acme', events: 8, checkpointLine: 10 }]);
  });

  it('proves nothing of a file that does not extend the trusted checkpoint', () => {
    const trusted = lastNote(new SyntheticExport().directoryChanges(2).checkpoint());
    const lines = [...new SyntheticExport().directoryChanges(2).checkpoint().directoryChanges(2).checkpoint().lines];
    lines[2] = lines[2].replace('"correlationId":"', '"correlationId":"x');
    const verdict = verify(lines, { trustedCheckpoint: trusted });
    expect(verdict.failure).toMatchObject({ line: 5, forked: true, verified: [] });
  });

  it("proves nothing of an org whose first key is not the pinned one, nor after a failure of the file as a whole", () => {
    const file = new SyntheticExport().directoryChanges(2).checkpoint();
    expect(verify(file.lines, { firstKey: 'ab'.repeat(32) }).failure).toMatchObject({ line: 0, verified: [] });
  });
});
