import { Inject, Injectable } from '@nestjs/common';
import { LONGEST_WINDOW_MS } from '../../../projections/as-of.projection';
import { READ_MODEL_STORE, type ReadModelStore } from '../../read-models/read-model-store.port';
import { InvalidQuery } from './invalid-query';

/** The fold of the documents read, by the name a store loads it by (it may run it on another thread). */
const AS_OF_ANSWER = { module: require.resolve('./as-of-answer'), name: 'asOfAnswer' satisfies keyof typeof import('./as-of-answer') };

/**
 * Issue 15 item 4: who could perform sensitive tasks at an instant. Three range reads of the
 * as-of read model (projections/as-of.projection.ts), each bounded: keys that ended after T,
 * role changes up to T (a few per agent), and each browser's window not replaced by T (opened
 * within the longest window before T).
 * They grow with the org (every key of it, for an old instant): the store reads them and folds
 * them (asOfAnswer) where it reads, the embedded one on a worker thread (issue 14), and the
 * answer comes back as its JSON (an AsOfAnswer).
 */
@Injectable()
export class AsOfQuery {
  constructor(@Inject(READ_MODEL_STORE) private readonly store: ReadModelStore) {}

  /** `admitted` runs once `at` is found valid, before anything is read: what the caller spends there (its org's budget), a refused query does not. */
  async whoCouldAct(orgId: string, at: Date, now: Date, admitted: () => Promise<void> = async () => undefined): Promise<Buffer> {
    if (at.getTime() > now.getTime()) throw new InvalidQuery('AT_IN_FUTURE', '`at` is later than now: the log only tells what held up to now.');
    await admitted();
    const t = at.toISOString();
    const org = { field: 'orgId', op: 'eq', value: orgId } as const;
    return this.store.reduceJson(
      [
        // Both bounds go to the store, so that keys approved after T are not even read.
        { collection: 'key_intervals', conditions: [org, { field: 'until', op: 'gt', value: t }, { field: 'from', op: 'lte', value: t }], orderBy: 'until' },
        { collection: 'role_changes', conditions: [org, { field: 'at', op: 'lte', value: t }], orderBy: 'at' },
        {
          // At most one a browser: its window not yet replaced at T (whatever the tasks signed in it before or since).
          collection: 'browser_windows',
          conditions: [
            org,
            { field: 'replacedAt', op: 'gt', value: t },
            { field: 'from', op: 'gt', value: new Date(at.getTime() - LONGEST_WINDOW_MS).toISOString() },
            { field: 'from', op: 'lte', value: t },
          ],
          orderBy: 'replacedAt',
        },
      ],
      { ...AS_OF_ANSWER, argument: t },
    );
  }
}
