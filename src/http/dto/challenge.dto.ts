import { type PipeTransform } from '@nestjs/common';
import { z } from 'zod';
import {
  askedFields,
  CHALLENGE_PURPOSE_NAMES,
  challengeRequestSchema,
  type ChallengePurpose,
  type ChallengeRequest,
} from '../../domain/shared/challenge-purposes';
import { problem } from '../problem';
import { HttpProblem } from '../problem.filter';
import { invalidInput, zodFieldProblems } from '../validation';

/** The OpenAPI schema of the body, derived from the same table as its validation. */
export const CHALLENGE_BODY_SCHEMA = z.toJSONSchema(challengeRequestSchema, { target: 'openapi-3.0' }) as Record<string, unknown>;

const isPurpose = (value: unknown): value is ChallengePurpose => (CHALLENGE_PURPOSE_NAMES as unknown[]).includes(value);
const boundBySomePurpose = new Set(CHALLENGE_PURPOSE_NAMES.flatMap(askedFields));

/**
 * Validates the body of POST .../challenges against its purpose's fields. A field that only
 * another purpose binds is a FIELD_NOT_FOR_PURPOSE problem, so the caller learns why.
 */
export class ChallengeBodyPipe implements PipeTransform<unknown, ChallengeRequest> {
  transform(body: unknown): ChallengeRequest {
    const parsed = challengeRequestSchema.safeParse(body);
    if (parsed.success) return parsed.data;
    const { issues } = parsed.error;
    const purpose = typeof body === 'object' && body !== null ? (body as { purpose?: unknown }).purpose : undefined;
    const onlyExtraFields = issues.every((issue) => issue.code === 'unrecognized_keys' && issue.path.length === 0);
    const extra = issues.flatMap((issue) => (issue.code === 'unrecognized_keys' ? issue.keys : []));
    if (isPurpose(purpose) && onlyExtraFields && extra.every((field) => boundBySomePurpose.has(field))) {
      throw new HttpProblem(
        problem(400, 'FIELD_NOT_FOR_PURPOSE', `${extra.join(', ')} cannot be bound by a ${purpose} challenge; it binds ${askedFields(purpose).join(', ')}.`),
      );
    }
    throw new HttpProblem(invalidInput(zodFieldProblems(issues)));
  }
}
