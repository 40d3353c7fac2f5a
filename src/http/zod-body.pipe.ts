import type { PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { HttpProblem } from './problem.filter';
import { invalidInput, zodFieldProblems } from './validation';

/** Validates a body against a zod schema: the 400 names each invalid field. */
export class ZodBodyPipe<T> implements PipeTransform<unknown, T> {
  constructor(readonly schema: z.ZodType<T>) {}

  transform(body: unknown): T {
    const parsed = this.schema.safeParse(body);
    if (parsed.success) return parsed.data;
    throw this.refusal(parsed.error.issues, body);
  }

  /** The answer to an invalid body; a body with a more telling answer overrides it. */
  protected refusal(issues: z.core.$ZodIssue[], _body: unknown): HttpProblem {
    return new HttpProblem(invalidInput(zodFieldProblems(issues)));
  }
}
