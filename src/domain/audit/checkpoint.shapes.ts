import { z } from 'zod';
import { dataShapes } from '../events/data-shapes';
import type { CheckpointEvent } from './checkpoint.events';

export const CHECKPOINT_SHAPES = dataShapes<CheckpointEvent>()({
  CheckpointSigned: z.strictObject({ size: z.number().int().nonnegative(), note: z.string() }),
});
