import { unsettledBy, type ServerMemory } from '../../bench/support/server-memory';

const reading = (threads: ServerMemory['threads']): ServerMemory => ({ rss: 300 * 1048576, heapUsed: 100 * 1048576, external: 0, arrayBuffers: 0, threads });
const thread = (name: string, young: number) => ({ name, committed: 20, used: 10, young });

describe("the growth bench's settled reading", () => {
  it('is one with no self-check thread alive and every young generation shrunk', () => {
    expect(unsettledBy(reading([thread('main', 1), thread('projector.worker', 2), thread('transparency.worker', 1)]))).toEqual([]);
  });

  it("says a self-check's thread was alive", () => {
    expect(unsettledBy(reading([thread('main', 1), thread('self-check.worker', 1)]))).toEqual(["a self-check's thread alive"]);
  });

  it('names the threads whose young generation is still grown from the load', () => {
    expect(unsettledBy(reading([thread('main', 32), thread('projector.worker', 1), thread('transparency.worker', 8)]))).toEqual([
      'young generation grown (main 32 MiB, transparency.worker 8 MiB)',
    ]);
  });
});
