import { z } from 'zod';
import { EMPTY_TEXT, SHOWN_TEXT, shownTextProblem, type TextLines } from '../../shared/shown-text-rule';

export type { TextLines } from '../../shared/shown-text-rule';

/**
 * Free text a person reads (names, tasks, reasons): 1 to `max` characters (code points, as JSON
 * Schema counts them) as SHOWN_TEXT takes them (shown-text-rule.ts): no control, bidirectional or
 * invisible characters, not blank, neither beginning nor ending with whitespace. Refused, never
 * trimmed: the log records, and a challenge binds, the text as sent. One pattern, so OpenAPI
 * documents the whole rule; the message names the rule broken.
 */
export const shownText = (max: number, lines: TextLines = 'one line') =>
  z
    .string()
    .min(1, { abort: true, error: EMPTY_TEXT })
    .max(max)
    .regex(SHOWN_TEXT[lines], { error: (issue) => shownTextProblem(String(issue.input), lines) });
