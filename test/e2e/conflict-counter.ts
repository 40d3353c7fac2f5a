import { ConcurrencyConflict } from '../../src/event-store/event-store.port';
import type { TestServer } from '../support/test-server';

/**
 * Counts appends the event store refused for a stale expected revision while `act` runs: shows
 * that a concurrency test really made commands race, not just run one after the other.
 */
export async function countingConflicts<T>(server: TestServer, act: () => Promise<T>): Promise<{ result: T; conflicts: number }> {
  const store = server.eventStore;
  const append = store.append;
  let conflicts = 0;
  store.append = async (writes) => {
    try {
      return await append.call(store, writes);
    } catch (error) {
      if (error instanceof ConcurrencyConflict) conflicts++;
      throw error;
    }
  };
  try {
    return { result: await act(), conflicts };
  } finally {
    store.append = append;
  }
}
