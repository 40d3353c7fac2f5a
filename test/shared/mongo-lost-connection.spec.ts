import { MongoNetworkError, MongoNetworkTimeoutError } from 'mongodb';
import { retriedOnLostConnection } from '../../src/shared/mongodb-database';

/**
 * A read that meets pooled connections an outage closed, which the driver learns of only when a
 * command is written on them: several can be met in a row when the process was busy (CI).
 */
describe('a read run again on connections found closed', () => {
  /** A read failing with `errors` in turn, then answering: how often it ran, and its answer. */
  const failingWith = (errors: unknown[]) => {
    const read = { runs: 0 };
    const run = async () => {
      const error = errors[read.runs++];
      if (error) throw error;
      return 'answer';
    };
    return { read, run };
  };
  const closed = (n: number) => new MongoNetworkError(`connection ${n} to 127.0.0.1:27017 closed`);
  const epipe = () => Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });

  it('answers after meeting three closed connections in a row (an EPIPE the driver passes on unwrapped, then two more)', async () => {
    const { read, run } = failingWith([epipe(), closed(6), closed(7)]);
    await expect(retriedOnLostConnection(run)).resolves.toBe('answer');
    expect(read.runs).toBe(4);
  });

  it('fails as the outage it is when the server stays away: four runs, the last error', async () => {
    const { read, run } = failingWith([closed(1), closed(2), closed(3), closed(4), closed(5)]);
    await expect(retriedOnLostConnection(run)).rejects.toThrow('connection 4 to');
    expect(read.runs).toBe(4);
  });

  it('never asks a slow server twice, nor runs again a read that failed otherwise', async () => {
    for (const error of [new MongoNetworkTimeoutError('connection 3 timed out'), new Error('E11000 duplicate key')]) {
      const { read, run } = failingWith([error]);
      await expect(retriedOnLostConnection(run)).rejects.toBe(error);
      expect(read.runs).toBe(1);
    }
  });
});
