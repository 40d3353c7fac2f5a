import type { z } from 'zod';
import {
  askedFields,
  CHALLENGE_PURPOSE_NAMES,
  challengeRequestSchema,
  type ChallengePurpose,
  type ChallengeRequest,
} from '../../domain/shared/challenge-purposes';
import { problem } from '../problem';
import { HttpProblem } from '../problem.filter';
import { ZodBodyPipe } from '../zod-body.pipe';

const isPurpose = (value: unknown): value is ChallengePurpose => (CHALLENGE_PURPOSE_NAMES as unknown[]).includes(value);
const boundBySomePurpose = new Set(CHALLENGE_PURPOSE_NAMES.flatMap(askedFields));

/**
 * Validates the body of POST .../challenges against its purpose's fields. A field that only
 * another purpose binds is a FIELD_NOT_FOR_PURPOSE problem, so the caller learns why.
 */
export class ChallengeBodyPipe extends ZodBodyPipe<ChallengeRequest> {
  constructor() {
    super(challengeRequestSchema);
  }

  protected override refusal(issues: z.core.$ZodIssue[], body: unknown): HttpProblem {
    const purpose = typeof body === 'object' && body !== null ? (body as { purpose?: unknown }).purpose : undefined;
    const onlyExtraFields = issues.every((issue) => issue.code === 'unrecognized_keys' && issue.path.length === 0);
    const extra = issues.flatMap((issue) => (issue.code === 'unrecognized_keys' ? issue.keys : []));
    if (isPurpose(purpose) && onlyExtraFields && extra.every((field) => boundBySomePurpose.has(field))) {
      return new HttpProblem(
        problem(400, 'FIELD_NOT_FOR_PURPOSE', `${extra.join(', ')} cannot be bound by a ${purpose} challenge; it binds ${askedFields(purpose).join(', ')}.`),
      );
    }
    return super.refusal(issues, body);
  }
}
