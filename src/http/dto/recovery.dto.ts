import { z } from 'zod';
import { ID_PATTERN } from '../../domain/streams';

/** The body of POST .../recoveries (operator): the SUPER_ADMIN to restore. */
export const startRecoverySchema = z
  .object({
    agentId: z
      .string()
      .regex(ID_PATTERN, { message: 'agentId must be 1-128 letters, digits, ".", "_", "@" or "-"' })
      .describe('The SUPER_ADMIN of the org whose next key request the recovery grants'),
  })
  .strict();
export type StartRecoveryBody = z.infer<typeof startRecoverySchema>;
export const START_RECOVERY_BODY_SCHEMA = z.toJSONSchema(startRecoverySchema, { target: 'openapi-3.0' }) as Record<string, unknown>;

/** The body of POST .../recoveries/{recoveryId}/veto: the signature over a RECOVERY_VETO challenge. */
export const vetoRecoverySchema = z
  .object({
    challengeId: z.string().min(1).max(4096).describe('challengeId of a RECOVERY_VETO challenge for this recovery'),
    signature: z
      .string()
      .length(86, { message: 'signature must be 86 base64url characters (a 64-byte Ed25519 signature)' })
      .regex(/^[A-Za-z0-9_-]+$/, { message: 'signature must be base64url without padding' })
      .describe('Ed25519 signature of the challenge statement by your ACTIVE key'),
  })
  .strict();
export type VetoRecoveryBody = z.infer<typeof vetoRecoverySchema>;
export const VETO_RECOVERY_BODY_SCHEMA = z.toJSONSchema(vetoRecoverySchema, { target: 'openapi-3.0' }) as Record<string, unknown>;
