import { z } from 'zod';
import { PROMPT_FREQUENCIES } from '../browser/prompt-frequency';
import { ORG_POLICY_FIELDS } from '../organization/org-policy.schema';
import { ID_PATTERN } from '../streams';
import { shownText } from './shown-text';

/*
 * What each challenge purpose binds (PRODUCT.md, Signatures): the one table that the HTTP body
 * validation, its OpenAPI schema, the challenge issuer, the deciders' checks and the CLI's check
 * before signing are derived from. A signature over one purpose's statement is useless for another.
 */

const publicKey = z
  .string()
  .length(43, { message: 'publicKey must be 43 base64url characters (a raw 32-byte Ed25519 key)' })
  .regex(/^[A-Za-z0-9_-]+$/, { message: 'publicKey must be base64url without padding' })
  .describe('the new public key, base64url (43 characters)');
const browserId = z
  .string()
  .regex(ID_PATTERN, { message: 'browserId must be 1-128 letters, digits, ".", "_", "@" or "-"' })
  .describe('the browser the signature is made in');

/**
 * Per purpose: `asks`, what the caller names when asking for a challenge (validated as sent), and
 * `adds`, what the server binds from its own state so the signer sees it (checked, not asked for).
 */
export const CHALLENGE_PURPOSES = {
  KEY_REQUEST: {
    asks: { publicKey },
    adds: {},
  },
  KEY_DECISION: {
    asks: {
      requestId: z.string().min(1).max(256).describe('the request decided on'),
      decision: z.enum(['APPROVE', 'REJECT']),
    },
    // The approver signs the key they are deciding on, not only the request's id.
    adds: { requesterPublicKey: z.string() },
  },
  PROMPT_FREQUENCY: {
    asks: { browserId, frequency: z.enum(PROMPT_FREQUENCIES) },
    adds: {},
  },
  SENSITIVE_TASK: {
    // As the task's own body takes it (shownText): a statement to sign for a task the task would refuse helps nobody.
    asks: {
      browserId,
      task: shownText(200).describe('the task name'),
    },
    adds: {},
  },
  // R20: the SUPER_ADMIN signs every field of the org's new policy, not a change relative to one they may not have seen.
  ORG_POLICY: {
    asks: ORG_POLICY_FIELDS,
    adds: {},
  },
  // R20: an approver vetoes one recovery; the server binds whom it would restore, so the signer sees it.
  RECOVERY_VETO: {
    asks: { recoveryId: z.string().min(1).max(256).describe('the running recovery vetoed') },
    adds: { recoveredAgentId: z.string() },
  },
} as const satisfies Record<string, { asks: z.ZodRawShape; adds: z.ZodRawShape }>;

type Table = typeof CHALLENGE_PURPOSES;
export type ChallengePurpose = keyof Table;
export const CHALLENGE_PURPOSE_NAMES = Object.keys(CHALLENGE_PURPOSES) as ChallengePurpose[];

type Shape<T extends z.ZodRawShape> = { -readonly [F in keyof T]: z.infer<T[F]> };

/** What a caller asks a challenge for, per purpose: the body of POST .../challenges. */
export type ChallengeRequest = { [P in ChallengePurpose]: { purpose: P } & Shape<Table[P]['asks']> }[ChallengePurpose];

type BoundShape<P extends ChallengePurpose> = Shape<Table[P]['asks']> & Shape<Table[P]['adds']>;

/** Everything a purpose binds besides org, caller, nonce and lifetime. */
export type ChallengeBinding<P extends ChallengePurpose = ChallengePurpose> = { [Q in P]: { purpose: Q } & BoundShape<Q> }[P];

/** The names of the fields a purpose binds, asked for or added by the server. */
export const boundFields = (purpose: ChallengePurpose): string[] => [
  ...Object.keys(CHALLENGE_PURPOSES[purpose].asks),
  ...Object.keys(CHALLENGE_PURPOSES[purpose].adds),
];

/** The names of the fields a caller names when asking for a challenge of this purpose. */
export const askedFields = (purpose: ChallengePurpose): string[] => Object.keys(CHALLENGE_PURPOSES[purpose].asks);

/** The fields any purpose binds, each optional and as signed JSON values: the flat shape of a parsed statement. */
export type AnyBoundFields = { [F in { [P in ChallengePurpose]: keyof BoundShape<P> }[ChallengePurpose] & string]?: string | number | boolean };

const requestSchemas = CHALLENGE_PURPOSE_NAMES.map((purpose) =>
  z.object({ purpose: z.literal(purpose), ...CHALLENGE_PURPOSES[purpose].asks }).strict(),
);

/**
 * The body of POST .../challenges: exactly the fields its purpose asks for. Built by mapping the
 * table, which loses each literal's pairing with its fields: the cast restores the type the same table gives.
 */
export const challengeRequestSchema = z.discriminatedUnion(
  'purpose',
  requestSchemas as unknown as [(typeof requestSchemas)[number], ...(typeof requestSchemas)[number][]],
) as unknown as z.ZodType<ChallengeRequest>;

/** The part of a binding the caller asks for; the server adds the rest from its own state. */
export function askedPart(binding: ChallengeBinding): ChallengeRequest {
  const asked = new Set(['purpose', ...askedFields(binding.purpose)]);
  return Object.fromEntries(Object.entries(binding).filter(([field]) => asked.has(field))) as ChallengeRequest;
}
