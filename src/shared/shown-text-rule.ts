import { BLANK, firstInvisible, HIDDEN, INVISIBLE, JOINERS, SELECTOR, SHOWN, SPACE_LIKE, TAG_SEQUENCE, TEXT_OF_LINES, TEXT_OF_ONE_LINE } from './hidden-characters';

export type TextLines = 'one line' | 'lines';

/** Whitespace that shows as space (\s, but for what is HIDDEN or INVISIBLE: the BOM; and SPACE_LIKE), with tabs and line feeds or without. */
const SPACE: Record<TextLines, string> = { lines: `(?:[^\\S${HIDDEN}${INVISIBLE}]|${SPACE_LIKE})`, 'one line': `(?:[^\\S${HIDDEN}${INVISIBLE}\\t\\n]|${SPACE_LIKE})` };

/** A character that shows (or a flag's tag sequence), and the variation selector that may follow it. */
const CLUSTER = `(?:${TAG_SEQUENCE}|${SHOWN})${SELECTOR}?`;

/**
 * Text a person reads (names, tasks, reasons), as one pattern (read without the u flag): characters that
 * show, with whitespace (a line feed or tab only in text of lines) or one joiner between two of them;
 * so it neither begins nor ends with whitespace or anything invisible, and never is blank. HIDDEN and
 * INVISIBLE characters are refused everywhere; a joiner (ZWNJ, ZWJ) only between two characters that
 * show, a variation selector only right after one, tag characters only in a flag's tag sequence: where
 * they change what shows (👩🏽‍💻, ❤️, Persian words, ideographic variants of a name), never on their own.
 */
export const SHOWN_TEXT: Record<TextLines, RegExp> = {
  lines: new RegExp(`^${CLUSTER}(?:(?:${SPACE.lines}*|[${JOINERS}])${CLUSTER})*$`),
  'one line': new RegExp(`^${CLUSTER}(?:(?:${SPACE['one line']}*|[${JOINERS}])${CLUSTER})*$`),
};

const HIDDEN_IN: Record<TextLines, string> = {
  'one line': 'must be one line without control characters, nor bidirectional formatting characters (U+202A-U+202E, U+2066-U+2069)',
  lines: 'must not hold control characters other than line feeds and tabs, nor bidirectional formatting characters (U+202A-U+202E, U+2066-U+2069)',
};

export const EMPTY_TEXT = 'must not be empty: send at least one character that shows';

const codePoint = (character: string): string => `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

const ANY_SHOWN = new RegExp(SHOWN);
const EDGE_SPACE_LIKE = new RegExp(`^${SPACE_LIKE}|${SPACE_LIKE}$`);

/** What is wrong with text SHOWN_TEXT refuses, the first rule it breaks: one message, whichever broke. */
function problemOf(text: string, lines: TextLines): string {
  if (text === '') return EMPTY_TEXT;
  if (!(lines === 'lines' ? TEXT_OF_LINES : TEXT_OF_ONE_LINE).test(text)) return HIDDEN_IN[lines];
  const invisible = firstInvisible(text);
  if (invisible !== undefined) return `must not hold invisible characters (Unicode's default ignorable ones, but joiners and variation selectors where they join or select): it holds ${codePoint(invisible)}`;
  if (BLANK.test(text)) return 'must not be blank: it holds only whitespace';
  if (!ANY_SHOWN.test(text)) return 'must not be blank: it holds only invisible characters and whitespace';
  if (/^\s|\s$/.test(text)) return 'must not begin or end with whitespace: send it trimmed';
  if (EDGE_SPACE_LIKE.test(text)) return 'must not begin or end with U+2800 (the Braille pattern blank, which shows as a space): send it trimmed';
  return 'must hold a joiner (U+200C, U+200D, U+180E) only between two characters that show, and a variation selector only right after one';
}

/** What is wrong with a name, a task or a reason, as the API answers it (after the field's name); undefined when nothing is. One rule for the server and the CLI. */
export const shownTextProblem = (text: string, lines: TextLines = 'one line'): string | undefined => (SHOWN_TEXT[lines].test(text) ? undefined : problemOf(text, lines));
