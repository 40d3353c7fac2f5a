import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';
import type { z } from 'zod';
import { problem, type Problem } from './problem';

/** One invalid field and what is wrong with it; dotted paths for nested fields. */
export interface FieldProblems {
  field: string;
  problems: string[];
}

/** Flattens class-validator errors into `{field, problems}` with dotted paths. */
function flatten(errors: ValidationError[], parent = ''): FieldProblems[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, problems: Object.values(error.constraints) }] : [];
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** The 400 answer to invalid input, whichever library found it. */
export function invalidInput(list: FieldProblems[]): Problem {
  const summary = list.map((entry) => `${entry.field}: ${entry.problems.join(', ')}`).join('; ');
  return problem(400, 'INVALID_INPUT', `The request is not valid. ${summary}`, { errors: list });
}

/** Groups zod issues by field; an unknown field is refused by name, as class-validator does. */
export function zodFieldProblems(issues: z.core.$ZodIssue[]): FieldProblems[] {
  const byField = new Map<string, string[]>();
  const add = (field: string, message: string) => byField.set(field, [...(byField.get(field) ?? []), message]);
  for (const issue of issues) {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) add(path ? `${path}.${key}` : key, `property ${key} should not exist`);
    } else {
      add(path || 'body', issue.message);
    }
  }
  return [...byField].map(([field, problems]) => ({ field, problems }));
}

/** Input validation: unknown fields are refused, types are strict, and the answer says what was wrong. */
export const validationPipe = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  forbidUnknownValues: true,
  validationError: { target: false, value: false },
  exceptionFactory: (errors) => new BadRequestException(invalidInput(flatten(errors))),
});
