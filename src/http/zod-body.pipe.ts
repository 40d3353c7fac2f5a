import type { PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { HttpProblem } from './problem.filter';
import { invalidInput, zodFieldProblems } from './validation';

/** Validates a body against a zod schema: the 400 names each invalid field, as for class-validator bodies. */
export class ZodBodyPipe<T> implements PipeTransform<unknown, T> {
  constructor(private readonly schema: z.ZodType<T>) {}

  transform(body: unknown): T {
    const parsed = this.schema.safeParse(body);
    if (parsed.success) return parsed.data;
    throw new HttpProblem(invalidInput(zodFieldProblems(parsed.error.issues)));
  }
}
