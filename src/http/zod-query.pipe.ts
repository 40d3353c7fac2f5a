import type { PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { HttpProblem } from './problem.filter';
import { invalidInput, shownName, zodFieldProblems } from './validation';

/**
 * Validates a query string against its zod shape: the 400 names each invalid field, and each of
 * its problems starts with the field's name (`limit must not be greater than 100`).
 */
export class ZodQueryPipe<T> implements PipeTransform<unknown, T> {
  constructor(readonly schema: z.ZodObject & z.ZodType<T>) {}

  transform(query: unknown): T {
    // `?status=A&status=B` parses to an array, which no query field takes: said plainly, not as the field's own rules failing.
    const repeated = Object.entries(query ?? {}).filter((entry): entry is [string, unknown[]] => Array.isArray(entry[1]));
    if (repeated.length > 0) throw new HttpProblem(invalidInput(repeated.map(([field, values]) => ({ field, problems: [`${shownName(field)} is given ${values.length} times; give it once`] }))));
    const parsed = this.schema.safeParse(query);
    if (parsed.success) return parsed.data;
    // Unknown fields first, then each field's problems in the shape's order.
    const unknown = parsed.error.issues.filter((issue) => issue.code === 'unrecognized_keys');
    const named = parsed.error.issues.filter((issue) => issue.code !== 'unrecognized_keys').map((issue) => ({ ...issue, message: `${issue.path.join('.')} ${issue.message}` }));
    throw new HttpProblem(invalidInput(zodFieldProblems([...unknown, ...named])));
  }
}
