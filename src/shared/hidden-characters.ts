/**
 * Characters that act on a reader rather than show: controls (C0 but tab and line feed, DEL, C1),
 * the line and paragraph separators, and the bidirectional embeddings, overrides and isolates
 * (U+202A-U+202E, U+2066-U+2069). An escape sequence rewrites a terminal's screen, a carriage
 * return or separator forges a line, an override shows one name where the text holds another.
 * Letters of every script, combining marks, emoji and their joiners are none of them.
 */
const HIDDEN = '\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F\\u2028\\u2029\\u202A-\\u202E\\u2066-\\u2069';

/** Text of lines: none of them (tabs and line feeds allowed). */
export const TEXT_OF_LINES = new RegExp(`^[^${HIDDEN}]*$`);

/** Text of one line: none of them, nor tabs or line feeds. */
export const TEXT_OF_ONE_LINE = new RegExp(`^[^${HIDDEN}\\t\\n]*$`);

/**
 * Whitespace as String.prototype.trim takes it off (JavaScript's and JSON Schema's \s: Unicode
 * White_Space and the BOM). At either end of a name it shows as nothing ("Alice " reads as "Alice");
 * text of it alone says nothing.
 */
export const BLANK = /^\s*$/;

/** TEXT_OF_LINES, not blank, neither beginning nor ending with whitespace: what a reason is. */
export const SHOWN_TEXT_OF_LINES = new RegExp(`^[^${HIDDEN}\\s](?:[^${HIDDEN}]*[^${HIDDEN}\\s])?$`);

/** TEXT_OF_ONE_LINE, not blank, neither beginning nor ending with whitespace: what a name or a task is. */
export const SHOWN_TEXT_OF_ONE_LINE = new RegExp(`^[^${HIDDEN}\\s](?:[^${HIDDEN}\\t\\n]*[^${HIDDEN}\\s])?$`);

const EACH_HIDDEN = new RegExp(`[${HIDDEN}]`, 'g');
const EACH_HIDDEN_OR_BREAK = new RegExp(`[${HIDDEN}\\t\\n]`, 'g');

const escaped = (character: string): string => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** The text with each of them written as its escape (`\u001b`): what a terminal may show of text it did not write. */
export const withHiddenShown = (text: string): string => text.replace(EACH_HIDDEN, escaped);

/**
 * JSON text of a value with each of them written as its JSON escape: the same value to a parser,
 * nothing a terminal acts on (JSON.stringify escapes C0 controls only). Outside strings, JSON
 * text holds none of them, so escaping the text escapes the strings.
 */
export const jsonShown = (value: unknown, space?: number): string => withHiddenShown(JSON.stringify(value, null, space));

/** The same, tabs and line feeds escaped too: for text meant as one line (a problem's detail), where a line break would forge another. */
export const onOneLineShown = (text: string): string => text.replace(EACH_HIDDEN_OR_BREAK, escaped);

/** Every string of a JSON-like value, members' names too, shown on one line (onOneLineShown): for what a client sent, on its way to a reader. */
export function everyTextShown(value: unknown): unknown {
  if (typeof value === 'string') return onOneLineShown(value);
  if (Array.isArray(value)) return value.map(everyTextShown);
  // An object with a toJSON of its own (a Date) is written by it, left as it is; records of any prototype (a parsed query's) are walked.
  if (typeof value !== 'object' || value === null || typeof (value as { toJSON?: unknown }).toJSON === 'function') return value;
  return Object.fromEntries(Object.entries(value).map(([name, member]) => [onOneLineShown(name), everyTextShown(member)]));
}
