import type { z } from 'zod';
import { CHECKPOINT_SHAPES } from '../audit/checkpoint.shapes';
import { BROWSER_OLDER_SHAPES, BROWSER_SHAPES } from '../browser/browser.shapes';
import { ORGANIZATION_SHAPES } from '../organization/organization.shapes';
import { PUBLIC_KEY_SHAPES } from '../public-key/public-key.shapes';
import { RECOVERY_SHAPES } from '../recovery/recovery.shapes';
import { KEY_SHAPES } from '../signature-key/key.shapes';
import type { DataShapes } from './data-shapes';
import type { LogEvent, LogEventType } from './event-catalogue';

// Apart from the catalogue: only a reader that checks data against its shape (a log it does not
// trust) loads zod; the threads that fold the store's own log never do.

/**
 * The shape of every event type's data at the version the catalogue writes, declared beside each
 * type (`*.shapes.ts` beside its `*.events.ts`). decodeChecked checks it on a log it does not trust (an export being verified).
 */
export const EVENT_SHAPES: DataShapes<LogEvent> = {
  ...ORGANIZATION_SHAPES,
  ...KEY_SHAPES,
  ...PUBLIC_KEY_SHAPES,
  ...BROWSER_SHAPES,
  ...RECOVERY_SHAPES,
  ...CHECKPOINT_SHAPES,
};

/** The shape each older schema version that decode still reads (OLDER_VERSIONS) had. */
export const OLDER_SHAPES: Partial<Record<LogEventType, Readonly<Record<number, z.ZodType>>>> = {
  ...BROWSER_OLDER_SHAPES,
};
