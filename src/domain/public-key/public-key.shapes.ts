import { z } from 'zod';
import { dataShapes } from '../events/data-shapes';
import type { PublicKeyEvent } from './public-key.events';

export const PUBLIC_KEY_SHAPES = dataShapes<PublicKeyEvent>()({
  PublicKeyClaimed: z.strictObject({ fingerprint: z.string(), agentId: z.string(), requestId: z.string() }),
});
