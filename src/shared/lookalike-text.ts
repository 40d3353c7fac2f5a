import { domainToASCII, domainToUnicode } from 'node:url';

/*
 * Text a reader could take for other text: a word mixing scripts ("Аlice", its first letter
 * Cyrillic), an email domain that a mail client shows decoded from punycode as another one
 * (xn--pple-43d.com shows as "аpple.com"). The rules of UTS #39 (Unicode security mechanisms) and
 * of browsers' IDN display, on what the API takes in; what a log already holds is read as it is.
 */

/** Scripts told apart; a letter of none of them counts as one more script. */
const SCRIPTS = [
  'Latin', 'Greek', 'Cyrillic', 'Armenian', 'Georgian', 'Cherokee', 'Coptic', 'Glagolitic', 'Gothic', 'Deseret', 'Osage', 'Lisu', 'Vai',
  'Hebrew', 'Arabic', 'Syriac', 'Thaana', 'Nko', 'Adlam', 'Ethiopic', 'Tifinagh', 'Canadian_Aboriginal', 'Runic', 'Ogham',
  'Devanagari', 'Bengali', 'Gurmukhi', 'Gujarati', 'Oriya', 'Tamil', 'Telugu', 'Kannada', 'Malayalam', 'Sinhala', 'Tibetan', 'Mongolian',
  'Thai', 'Lao', 'Myanmar', 'Khmer', 'Javanese', 'Balinese', 'Sundanese', 'Cham', 'Tagalog',
  'Han', 'Hiragana', 'Katakana', 'Bopomofo', 'Hangul', 'Yi',
].map((name) => [name, new RegExp(`\\p{Script=${name}}`, 'u')] as const);

/** UTS #39 §5.2, Highly Restrictive: one script per word, or Latin with the scripts written together in Japanese, Chinese, Korean. */
const WRITTEN_TOGETHER = [
  ['Latin', 'Han', 'Hiragana', 'Katakana'],
  ['Latin', 'Han', 'Bopomofo'],
  ['Latin', 'Han', 'Hangul'],
];

const scriptOf = (letter: string): string => SCRIPTS.find(([, pattern]) => pattern.test(letter))?.[0] ?? 'another script';

/** The scripts of the letters of `word` (digits, marks, punctuation and symbols belong to none). */
const scriptsOf = (word: string): string[] => [...new Set([...word].filter((character) => /\p{L}/u.test(character)).map(scriptOf))];

const mixed = (scripts: string[]): boolean => scripts.length > 1 && !WRITTEN_TOGETHER.some((together) => scripts.every((script) => together.includes(script)));

const listed = (scripts: string[]): string => `${scripts.slice(0, -1).join(', ')} and ${scripts.at(-1)}`;

/** Why `text` could read as another, when one of its words mixes scripts; undefined when none does. */
export function mixedScriptProblem(text: string): string | undefined {
  for (const word of text.split(/[^\p{L}\p{M}\p{N}]+/u)) {
    const scripts = scriptsOf(word);
    if (mixed(scripts)) return `must not mix scripts in one word ("${word}" mixes ${listed(scripts)}), which reads as another name: write each word in one script`;
  }
  return undefined;
}

/**
 * Letters of another script that look like Latin ones, a label made of them alone reading as a Latin
 * word ("аррӏе", all Cyrillic): the sets browsers use to show such a domain in punycode rather than decoded.
 */
const LATIN_LOOKALIKES: Record<string, RegExp> = {
  Cyrillic: /^[асԁеɡһіјӏорԛѕԝхуьъгпѵѡ]+$/u,
  Greek: /^[αβεικνορτυχγω]+$/u,
};

/** What an IDNA label may hold (IDNA2008's letters, marks and digits, and the hyphen): no symbol or emoji that passes for punctuation. */
const LABEL_CHARACTERS = /^[\p{L}\p{M}\p{Nd}-]+$/u;

/**
 * Why the ASCII domain of an email address could show as another one, or undefined: each `xn--`
 * label must be the punycode of an international label (one that decodes to ASCII alone shows as
 * that: xn--example-.com as example.com) written as IDNA writes it, in letters of one script, and
 * not only of letters that look like Latin ones unless its top-level domain is of that script too.
 */
export function lookalikeDomainProblem(domain: string): string | undefined {
  const labels = domain.toLowerCase().split('.');
  const topLevel = domainToUnicode(labels.at(-1)!);
  for (const label of labels.filter((label) => label.startsWith('xn--'))) {
    const decoded = domainToUnicode(label);
    if (decoded === '' || /^[\x00-\x7f]*$/.test(decoded) || domainToASCII(decoded) !== label || !LABEL_CHARACTERS.test(decoded))
      return `has a domain label, ${label}, that is not the punycode (xn--) of an international name as IDNA writes it, and would show as something else`;
    const scripts = scriptsOf(decoded);
    if (mixed(scripts)) return `has a domain label, ${label}, that shows as "${decoded}", mixing ${listed(scripts)}: it reads as another domain`;
    const [script] = scripts;
    if (script in LATIN_LOOKALIKES && LATIN_LOOKALIKES[script].test(decoded) && !scriptsOf(topLevel).includes(script))
      return `has a domain label, ${label}, that shows as "${decoded}", ${script} letters that look like Latin ones: it reads as another domain`;
  }
  return undefined;
}
