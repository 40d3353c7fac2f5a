import { withHiddenShown } from './hidden-characters';

/** Client text is quoted up to this many characters: an id is shorter, and a longer text is no id. */
const QUOTED_LENGTH = 64;

/**
 * Text a client sent, as a message quotes it: in double quotes with JSON's escapes and every
 * character that acts on a reader written as its escape (`\u202e`), cut past QUOTED_LENGTH
 * characters. What a reader sees is then what was sent, never a rewritten screen or line.
 */
export function quoted(text: string): string {
  const characters = [...text];
  const shown = characters.length > QUOTED_LENGTH ? `${characters.slice(0, QUOTED_LENGTH).join('')}…` : text;
  return withHiddenShown(JSON.stringify(shown));
}
