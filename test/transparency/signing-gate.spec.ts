import { SigningGate } from '../../src/transparency/signing-gate';

/** Which orgs the checkpointer may sign, as the checks at start and of the whole log report. */
describe('the signing gate', () => {
  it('releases at start every org the check bounded by the orgs vouched for, the others once the check of the whole log agrees', () => {
    const gate = new SigningGate();
    expect(gate.allows('acme')).toBe(false);
    gate.vouchedAtStart({ disagreements: [], unvouched: ['grown'] });
    expect([gate.allows('acme'), gate.allows('grown'), gate.holdsEveryOrg, gate.awaitsCheck]).toEqual([true, false, false, true]);
    gate.checked({ newer: [], faults: [], disagreements: [] });
    expect([gate.allows('acme'), gate.allows('grown'), gate.awaitsCheck]).toEqual([true, true, false]);
  });

  it('holds every org when the check at start finds the nodes disagree', () => {
    const gate = new SigningGate();
    gate.vouchedAtStart({ disagreements: ['org acme: the root of its tree of 4 is not the one the log gives'], unvouched: [] });
    expect([gate.allows('acme'), gate.allows('other'), gate.holdsEveryOrg]).toEqual([false, false, true]);
  });

  it('keeps the verdict of a check of the whole log that came before the check at start', () => {
    const gate = new SigningGate();
    gate.checked({ newer: [], faults: [], disagreements: ['org acme: nodes of its tree of 4 are missing'] });
    gate.vouchedAtStart({ disagreements: [], unvouched: [] });
    expect(gate.allows('acme')).toBe(false);
  });

  it('holds an org whose log holds a checkpoint the check could not read, the others signed, until a check reads it', () => {
    const gate = new SigningGate();
    const unread = { orgId: 'acme', index: 4, position: 9n, type: 'CheckpointSigned', schemaVersion: 2, count: 1, checkpoint: { position: 9n, type: 'CheckpointSigned', schemaVersion: 2 } };
    gate.checked({ faults: [], newer: [unread, { ...unread, orgId: 'other', checkpoint: undefined }], disagreements: [] });
    expect([gate.allows('acme'), gate.allows('other')]).toEqual([false, true]);
    gate.checked({ faults: [], newer: [], disagreements: [] });
    expect(gate.allows('acme')).toBe(true);
  });
});
