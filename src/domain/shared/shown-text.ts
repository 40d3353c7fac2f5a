import { z } from 'zod';
import { BLANK, SHOWN_TEXT_OF_LINES, SHOWN_TEXT_OF_ONE_LINE, TEXT_OF_LINES, TEXT_OF_ONE_LINE } from '../../shared/hidden-characters';

export type TextLines = 'one line' | 'lines';

const HIDDEN_IN = {
  'one line': 'must be one line without control characters, nor bidirectional formatting characters (U+202A-U+202E, U+2066-U+2069)',
  lines: 'must not hold control characters other than line feeds and tabs, nor bidirectional formatting characters (U+202A-U+202E, U+2066-U+2069)',
} as const;

/** What is wrong with text the pattern refuses, the first rule it breaks: one message, whichever broke. */
function problemOf(text: string, lines: TextLines): string {
  if (!(lines === 'lines' ? TEXT_OF_LINES : TEXT_OF_ONE_LINE).test(text)) return HIDDEN_IN[lines];
  if (BLANK.test(text)) return 'must not be blank: it holds only whitespace';
  return 'must not begin or end with whitespace: send it trimmed';
}

/**
 * Free text a person reads (names, tasks, reasons): 1 to `max` characters (code points, as JSON
 * Schema counts them), on one line unless `lines` (then with line feeds and tabs), without control
 * or bidirectional formatting characters (hidden-characters.ts), not blank, and neither beginning
 * nor ending with whitespace. Refused, never trimmed: the log records, and a challenge binds, the
 * text as sent. One pattern, so OpenAPI documents the whole rule; the message names the rule broken.
 */
export const shownText = (max: number, lines: TextLines = 'one line') =>
  z
    .string()
    .min(1, { abort: true })
    .max(max)
    .regex(lines === 'lines' ? SHOWN_TEXT_OF_LINES : SHOWN_TEXT_OF_ONE_LINE, { error: (issue) => problemOf(String(issue.input), lines) });
