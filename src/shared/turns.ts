/**
 * Runs tasks that share a key one after another, in the order they asked, and tasks of other
 * keys beside them. A key's entry lives while a task of it waits or runs.
 */
export class Turns {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key);
    let done!: () => void;
    const mine = new Promise<void>((resolve) => (done = resolve));
    const tail = before ? before.then(() => mine) : mine;
    this.tails.set(key, tail);
    try {
      await before;
      return await task();
    } finally {
      done();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
