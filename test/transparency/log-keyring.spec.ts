import { checkpointOrigin, signCheckpoint, type Checkpoint } from '../../src/transparency/checkpoint';
import { openLogCheckpoint, openOrgCheckpoint } from '../../src/transparency/log-keyring';
import { EMPTY_ROOT } from '../../src/transparency/merkle-tree';
import { InvalidNote, signerFromSeed } from '../../src/transparency/signed-note';

const old = signerFromSeed('keys.example.com/log', Buffer.alloc(32, 1));
// A rotation may rename the key (a new origin) or keep its name (same origin, another key id).
const renamed = signerFromSeed('keys.example.com/log-2027', Buffer.alloc(32, 2));
const sameName = signerFromSeed('keys.example.com/log', Buffer.alloc(32, 3));
const stranger = signerFromSeed('keys.example.com/log', Buffer.alloc(32, 4));

const checkpoint = (size: number, origin: string): Checkpoint => ({ origin, size, rootHash: EMPTY_ROOT, extensions: [] });
const note = (signer: typeof old, orgId = 'acme', size = 3) => signCheckpoint(checkpoint(size, checkpointOrigin(signer.name, orgId)), signer);

describe('log keyring: checkpoints of every key the log had', () => {
  it('opens a checkpoint of any key of the ring, under that key name', () => {
    for (const current of [renamed, sameName]) {
      expect(openOrgCheckpoint(note(old), [old, current], 'acme')).toMatchObject({ origin: 'keys.example.com/log/acme', size: 3 });
      expect(openOrgCheckpoint(note(current, 'acme', 5), [old, current], 'acme')).toMatchObject({ origin: `${current.name}/acme`, size: 5 });
      expect(openLogCheckpoint(note(old, 'org/with/slash'), [old, current])).toMatchObject({ orgId: 'org/with/slash' });
      expect(openLogCheckpoint(note(current, 'beta'), [old, current])).toMatchObject({ orgId: 'beta' });
    }
  });

  it('refuses a checkpoint of a key not in the ring, of another org, or under another origin', () => {
    expect(() => openOrgCheckpoint(note(old), [renamed], 'acme')).toThrow(InvalidNote);
    expect(() => openOrgCheckpoint(note(stranger), [old, renamed], 'acme')).toThrow(/no signature by a known key/);
    expect(() => openOrgCheckpoint(note(old, 'beta'), [old, renamed], 'acme')).toThrow(/is of "keys.example.com\/log\/beta", not "keys.example.com\/log\/acme"/);
    expect(() => openLogCheckpoint(note(signerFromSeed('elsewhere/log', Buffer.alloc(32, 5))), [old, renamed])).toThrow(/not a log of keys.example.com\/log, keys.example.com\/log-2027/);
  });
});
