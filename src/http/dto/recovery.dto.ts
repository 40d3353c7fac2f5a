import type { z } from 'zod';
import { bodySchema } from './body-schema';
import { challengeIdField, idField, signatureField } from './fields';

/** The body of POST .../recoveries (operator): the SUPER_ADMIN to restore. */
export const startRecoverySchema = bodySchema({
  agentId: idField('The SUPER_ADMIN of the org whose next key request the recovery grants'),
});
export type StartRecoveryBody = z.infer<typeof startRecoverySchema>;

/** The body of POST .../recoveries/{recoveryId}/veto: the signature over a RECOVERY_VETO challenge. */
export const vetoRecoverySchema = bodySchema({
  challengeId: challengeIdField('challengeId of a RECOVERY_VETO challenge for this recovery'),
  signature: signatureField('Ed25519 signature of the challenge statement by your ACTIVE key'),
});
export type VetoRecoveryBody = z.infer<typeof vetoRecoverySchema>;
