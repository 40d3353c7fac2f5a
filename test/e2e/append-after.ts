import type { EventStore } from '../../src/event-store/event-store.port';

/**
 * The real store, except that its first append waits until `first` (another command, through
 * another instance) has run: what a command decided on changed between its reads and its append,
 * deterministically, which a race over HTTP hits only by luck.
 */
export function appendingAfter(store: EventStore, first: () => Promise<unknown>): EventStore {
  let before: Promise<unknown> | undefined;
  return new Proxy(store, {
    get(target, key) {
      if (key === 'append') {
        return async (...args: Parameters<EventStore['append']>) => {
          await (before ??= first());
          return target.append(...args);
        };
      }
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
