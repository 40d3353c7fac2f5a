import type { z } from 'zod';
import { problem, type Problem } from './problem';

/** One invalid field and what is wrong with it; dotted paths for nested fields. */
export interface FieldProblems {
  field: string;
  problems: string[];
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
export const shownName = (name: string): string => cut(name, SHOWN_NAME);

/** The 400 answer to invalid input, whichever library found it. */
export function invalidInput(all: FieldProblems[]): Problem {
  const list = all.slice(0, LISTED_FIELDS).map(({ field, problems }) => ({ field: shownName(field), problems: problems.map((text) => cut(text, SHOWN_PROBLEM)) }));
  const more = all.length - list.length;
  const summary = list.map((entry) => `${entry.field}: ${entry.problems.join(', ')}`).join('; ');
  return problem(400, 'INVALID_INPUT', `The request is not valid. ${summary}${more > 0 ? `; and ${more} more fields` : ''}`, { errors: list });
}

/** Groups zod issues by field (of a body or a query string); an unknown field is refused by name. */
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
