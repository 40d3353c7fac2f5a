import { type ArgumentMetadata, BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';
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

/**
 * An answer names this many invalid fields at most, each name cut to SHOWN_NAME characters (and a
 * problem, which may quote one, to SHOWN_PROBLEM): listed in full, a body of thousands of unknown
 * fields (or one of a huge name) got back ten times its size, twice over (errors and detail).
 */
const LISTED_FIELDS = 20;
const SHOWN_NAME = 200;
const SHOWN_PROBLEM = 400;

const cut = (text: string, length: number): string => (text.length > length ? `${text.slice(0, length)}…` : text);

/** A field's name as an answer shows it. */
const shownName = (name: string): string => cut(name, SHOWN_NAME);

/** The 400 answer to invalid input, whichever library found it. */
export function invalidInput(all: FieldProblems[]): Problem {
  const list = all.slice(0, LISTED_FIELDS).map(({ field, problems }) => ({ field: shownName(field), problems: problems.map((text) => cut(text, SHOWN_PROBLEM)) }));
  const more = all.length - list.length;
  const summary = list.map((entry) => `${entry.field}: ${entry.problems.join(', ')}`).join('; ');
  return problem(400, 'INVALID_INPUT', `The request is not valid. ${summary}${more > 0 ? `; and ${more} more fields` : ''}`, { errors: list });
}

/** Groups zod issues by field; an unknown field is refused by name, as class-validator does. */
export function zodFieldProblems(issues: z.core.$ZodIssue[]): FieldProblems[] {
  const byField = new Map<string, string[]>();
  const add = (field: string, message: string) => byField.set(field, [...(byField.get(field) ?? []), message]);
  for (const issue of issues) {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) add(path ? `${path}.${key}` : key, `property ${shownName(key)} should not exist`);
    } else {
      add(path || 'body', issue.message);
    }
  }
  return [...byField].map(([field, problems]) => ({ field, problems }));
}

const OBJECT_PROTOTYPE_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype));

/**
 * Dotted paths of keys named like Object.prototype members (`toString`, `constructor`, ...):
 * class-transformer skips them, so the whitelist never sees them. Iterative, though queries are flat.
 */
function prototypeNamedFields(value: unknown): string[] {
  const found: string[] = [];
  const stack: { value: unknown; path: string }[] = [{ value, path: '' }];
  for (let next = stack.pop(); next; next = stack.pop()) {
    if (typeof next.value !== 'object' || next.value === null) continue;
    for (const [key, child] of Object.entries(next.value)) {
      const field = next.path ? `${next.path}.${key}` : key;
      if (OBJECT_PROTOTYPE_NAMES.has(key)) found.push(field);
      stack.push({ value: child, path: field });
    }
  }
  return found;
}

/**
 * Query validation (class-validator, @ValidQuery): unknown fields are refused (also those named
 * like Object.prototype members), types are strict, and the answer says what was wrong. Bodies are
 * validated by their zod schema (@ValidBody), which refuses the same.
 */
class StrictValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const fields = prototypeNamedFields(value);
    if (fields.length > 0) throw new BadRequestException(invalidInput(fields.map((field) => ({ field, problems: [`property ${shownName(field.split('.').pop()!)} should not exist`] }))));
    // `?status=A&status=B` parses to an array, which no query field takes: said plainly, not as the field's own rules failing.
    const repeated = Object.entries(value ?? {}).filter((entry): entry is [string, unknown[]] => Array.isArray(entry[1]));
    if (repeated.length > 0) throw new BadRequestException(invalidInput(repeated.map(([field, values]) => ({ field, problems: [`${shownName(field)} is given ${values.length} times; give it once`] }))));
    return super.transform(value, metadata);
  }
}

export const validationPipe = new StrictValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  forbidUnknownValues: true,
  validationError: { target: false, value: false },
  exceptionFactory: (errors) => new BadRequestException(invalidInput(flatten(errors))),
});
