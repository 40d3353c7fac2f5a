import { z } from 'zod';
import { dataShapes } from '../events/data-shapes';
import { instantSchema } from '../shared/instant.schema';
import { recordedProofSchema } from '../shared/signed-proof.schema';
import { RECOVERY_LAPSE_REASONS, type RecoveryEvent } from './recovery.events';

const ofRecovery = { recoveryId: z.string(), agentId: z.string() };

export const RECOVERY_SHAPES = dataShapes<RecoveryEvent>()({
  RecoveryStarted: z.strictObject({
    ...ofRecovery,
    startedAt: instantSchema,
    effectiveAt: instantSchema,
    remindAt: instantSchema,
    delayHours: z.number().int().positive(),
    withWorkingApprover: z.boolean(),
  }),
  RecoveryReminderSent: z.strictObject(ofRecovery),
  RecoveryVetoed: z.strictObject({ ...ofRecovery, vetoedBy: z.string(), decision: recordedProofSchema }),
  RecoveryCompleted: z.strictObject({ ...ofRecovery, requestId: z.string(), fingerprint: z.string() }),
  RecoveryLapsed: z.strictObject({ ...ofRecovery, reason: z.enum(RECOVERY_LAPSE_REASONS) }),
});
