import { STATUS_CODES } from 'node:http';
import { everyTextShown, onOneLineShown } from '../shared/hidden-characters';

/** RFC 9457 problem details, the body of every error this API answers. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** Stable machine-readable code. */
  code: string;
  /** Field by field, for invalid input. */
  errors?: { field: string; problems: string[] }[];
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Titles are the status's reason phrase, as RFC 9110 names it where Node's list still has an older name. */
const RFC_9110_TITLES: Record<number, string> = { 413: 'Content Too Large', 422: 'Unprocessable Content' };

/**
 * Every problem is made here. Its texts often repeat what the client sent (an id of the path, a
 * field's name), and they reach a terminal (the CLI prints the detail), a log and the console: an
 * escape sequence, a line break or a bidirectional override in them is written as its escape, so
 * what a reader sees is what was sent. Extensions never override the standard members: a refusal
 * detail named `status` must not become the HTTP status.
 */
export function problem(status: number, code: string, detail: string, extensions: Record<string, unknown> = {}): Problem {
  return {
    ...(everyTextShown(extensions) as Record<string, unknown>),
    type: `urn:ztkeys:problem:${code.toLowerCase().replace(/_/g, '-')}`,
    title: RFC_9110_TITLES[status] ?? STATUS_CODES[status] ?? 'Error',
    status,
    detail: onOneLineShown(detail),
    code,
  };
}
