import { Turns } from '../../src/shared/turns';

/** A task that records when it starts and ends, and ends when told. */
function task(log: string[], name: string) {
  let end!: () => void;
  const ended = new Promise<void>((resolve) => (end = resolve));
  return {
    end,
    run: async () => {
      log.push(`${name} starts`);
      await ended;
      log.push(`${name} ends`);
      return name;
    },
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('Turns', () => {
  it('runs the tasks of one key one after another, in the order they asked', async () => {
    const turns = new Turns();
    const log: string[] = [];
    const [a, b, c] = ['a', 'b', 'c'].map((name) => task(log, name));
    const results = [a, b, c].map((t) => turns.run('stream-1', t.run));
    await tick();
    expect(log).toEqual(['a starts']);
    c.end();
    b.end();
    await tick();
    expect(log).toEqual(['a starts']);
    a.end();
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['a starts', 'a ends', 'b starts', 'b ends', 'c starts', 'c ends']);
  });

  it('runs tasks of other keys beside each other', async () => {
    const turns = new Turns();
    const log: string[] = [];
    const [a, b] = ['a', 'b'].map((name) => task(log, name));
    const results = [turns.run('stream-1', a.run), turns.run('stream-2', b.run)];
    await tick();
    expect(log).toEqual(['a starts', 'b starts']);
    b.end();
    a.end();
    expect(await Promise.all(results)).toEqual(['a', 'b']);
  });

  it('gives the turn on when a task fails, and the failure to its caller only', async () => {
    const turns = new Turns();
    const failed = turns.run('stream-1', async () => {
      throw new Error('refused');
    });
    const next = turns.run('stream-1', async () => 'next');
    await expect(failed).rejects.toThrow('refused');
    await expect(next).resolves.toBe('next');
    await expect(turns.run('stream-1', async () => 'again')).resolves.toBe('again');
  });
});
