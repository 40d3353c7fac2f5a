import { v4 as uuidv4, v7 as uuidv7 } from 'uuid';
import { EventIds } from '../../src/transparency/event-ids';

describe('EventIds: each id given once, exactly, with the line that gave it', () => {
  it('finds every id given again, across the table growing, and takes no new one for an old one', () => {
    const ids = new EventIds();
    // The server's UUIDv7, name-based ones of keyed commands' shape, ids differing in one nibble, and ids of no UUID form (upper case is another id).
    const given = [
      ...Array.from({ length: 6_000 }, () => uuidv7()),
      ...Array.from({ length: 2_000 }, () => uuidv4()),
      ...Array.from({ length: 16 }, (_, nibble) => `0193c3a0-0000-7000-8000-00000000000${nibble.toString(16)}`),
      'bob',
      '0193C3A0-0000-7000-8000-000000000001',
    ];
    given.forEach((id, index) => expect({ id, before: ids.add(id, index + 1) }).toEqual({ id, before: undefined }));
    given.forEach((id, index) => expect({ id, before: ids.add(id, given.length + index + 1) }).toEqual({ id, before: index + 1 }));
    expect(ids.add(uuidv7(), 1)).toBeUndefined();
  });
});
