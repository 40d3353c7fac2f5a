import Database from 'better-sqlite3';
import { StreamEnds } from '../../src/event-store/sqlite/stream-ends';

describe('StreamEnds', () => {
  it('answers a read past an end it learnt; with a limit of 0 (a connection that reads no stream twice) it remembers none', () => {
    const db = new Database(':memory:');
    const [remembering, none] = [new StreamEnds(db), new StreamEnds(db, 0)];
    for (const ends of [remembering, none]) {
      ends.wrote('appended', 0n);
      ends.read('read', 0n, undefined);
    }
    expect([remembering.nothingFrom('appended', 1n), remembering.nothingFrom('read', 0n), remembering.nothingFrom('appended', 0n)]).toEqual([true, true, false]);
    expect([none.nothingFrom('appended', 1n), none.nothingFrom('read', 0n)]).toEqual([false, false]);
    db.close();
  });
});
