/**
 * Characters that act on a reader rather than show: controls (C0 but tab and line feed, DEL, C1),
 * the line and paragraph separators, and the bidirectional embeddings, overrides and isolates
 * (U+202A-U+202E, U+2066-U+2069). An escape sequence rewrites a terminal's screen, a carriage
 * return or separator forges a line, an override shows one name where the text holds another.
 * Letters of every script, combining marks, emoji and their joiners are none of them.
 */
export const HIDDEN = '\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F\\u2028\\u2029\\u202A-\\u202E\\u2066-\\u2069';

/**
 * Characters a reader does not see: Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt),
 * which a renderer shows as nothing, and the interlinear annotation characters (U+FFF9-U+FFFB), whose
 * annotation it may leave out; but for the bidirectional ones (HIDDEN) and those that join or select
 * (JOINERS, SELECTOR, TAG). A name of U+200B alone shows no name, "Alice\u200B" or "Al\u00ADice"
 * shows "Alice", a run of tag characters carries text no one reads. INVISIBLE is the class of those
 * of the Basic Multilingual Plane, ASTRAL_INVISIBLE the others as surrogate pairs: these patterns are
 * read without the u flag, as OpenAPI 3.0 and its linters read a pattern (a class cannot hold a
 * range of astral characters then).
 */
export const INVISIBLE = '\\u00AD\\u034F\\u061C\\u115F\\u1160\\u17B4\\u17B5\\u200B\\u200E\\u200F\\u2060-\\u2065\\u206A-\\u206F\\u3164\\uFEFF\\uFFA0\\uFFF0-\\uFFFB';
export const ASTRAL_INVISIBLE =
  '\\uD82F[\\uDCA0-\\uDCA3]|\\uD834[\\uDD73-\\uDD7A]|\\uDB40[\\uDC00-\\uDC1F\\uDC80-\\uDCFF\\uDDF0-\\uDFFF]|[\\uDB41-\\uDB43][\\uDC00-\\uDFFF]';

/** Invisible, but joining the characters either side: ZWNJ and ZWJ (Persian and Indic words, emoji sequences), the Mongolian vowel separator. */
export const JOINERS = '\\u180E\\u200C\\u200D';

/** Invisible, but choosing how the character before shows: variation selectors (emoji or text style, ideographic variants of names, U+E0100-U+E01EF), Mongolian ones. */
export const SELECTOR = '(?:[\\u180B-\\u180D\\u180F\\uFE00-\\uFE0F]|\\uDB40[\\uDD00-\\uDDEF])';

/** Tag characters (U+E0020-U+E007F): text no one sees, but in an emoji tag sequence (TAG_SEQUENCE: the flags of England, Scotland and Wales, after U+1F3F4). */
export const TAG = '\\uDB40[\\uDC20-\\uDC7F]';
export const TAG_SEQUENCE = '\\uD83C\\uDFF4(?:\\uDB40[\\uDC20-\\uDC7E])+\\uDB40\\uDC7F';

/**
 * Shows as a space, though Unicode's White_Space leaves it out: the Braille pattern blank (U+2800), a
 * blank cell between Braille words, and a name of it alone shows no name.
 */
export const SPACE_LIKE = '\\u2800';

/** A character that shows: none of the above, nor whitespace or SPACE_LIKE (an astral one as its surrogate pair). */
export const SHOWN = `(?:[^${HIDDEN}${INVISIBLE}${JOINERS}${SPACE_LIKE}\\u180B-\\u180D\\u180F\\uFE00-\\uFE0F\\s\\uD800-\\uDFFF]|(?!${ASTRAL_INVISIBLE}|${TAG}|${SELECTOR})[\\uD800-\\uDBFF][\\uDC00-\\uDFFF])`;

/** Text of lines: none of HIDDEN (tabs and line feeds allowed). */
export const TEXT_OF_LINES = new RegExp(`^[^${HIDDEN}]*$`);

/** Text of one line: none of HIDDEN, nor tabs or line feeds. */
export const TEXT_OF_ONE_LINE = new RegExp(`^[^${HIDDEN}\\t\\n]*$`);

/**
 * Whitespace as String.prototype.trim takes it off (JavaScript's and JSON Schema's \s: Unicode
 * White_Space and the BOM). At either end of a name it shows as nothing ("Alice " reads as "Alice");
 * text of it alone says nothing.
 */
export const BLANK = /^\s*$/;

const isFlag = (found: string): boolean => found.startsWith('\u{1F3F4}');

const SOME_INVISIBLE = new RegExp(`${TAG_SEQUENCE}|[${INVISIBLE}]|${ASTRAL_INVISIBLE}|${TAG}`, 'g');

/** The first INVISIBLE character of a text, or tag character outside a tag sequence. */
export const firstInvisible = (text: string): string | undefined => [...text.matchAll(SOME_INVISIBLE)].map(([found]) => found).find((found) => !isFlag(found));

const EACH_HIDDEN = new RegExp(`${TAG_SEQUENCE}|[${HIDDEN}${INVISIBLE}]|${ASTRAL_INVISIBLE}|${TAG}`, 'g');
const EACH_HIDDEN_OR_BREAK = new RegExp(`${TAG_SEQUENCE}|[${HIDDEN}${INVISIBLE}\\t\\n]|${ASTRAL_INVISIBLE}|${TAG}`, 'g');

/** A character as its escapes (`\u001b`; an astral one as its two UTF-16 units, as JSON writes it); a flag's tag sequence as it is. */
const escaped = (found: string): string =>
  isFlag(found) ? found : Array.from({ length: found.length }, (_, unit) => `\\u${found.charCodeAt(unit).toString(16).padStart(4, '0')}`).join('');

/** JSON text of a string with every character past ASCII as its escape: two texts that print alike (one in NFC, one in NFD), told apart. */
export const asciiJson = (text: string): string => JSON.stringify(text).replace(/[\u0080-\uffff]/g, escaped);

/** The text with each HIDDEN and INVISIBLE character written as its escape (`\u001b`): what a terminal may show of text it did not write. */
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

/**
 * A sentence around values from elsewhere (`sentence\`Key request ${requestId} is PENDING\``): each
 * value shown on one line (onOneLineShown), the sentence's own text as written. An id or date a
 * server answered is text like any other: a line feed in it would forge a line under the sentence.
 */
export const sentence = (parts: TemplateStringsArray, ...values: unknown[]): string =>
  parts.reduce((text, part, index) => `${text}${onOneLineShown(String(values[index - 1]))}${part}`);
