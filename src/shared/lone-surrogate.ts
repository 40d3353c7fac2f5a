/**
 * Lone surrogates (U+D800-U+DFFF unpaired): not Unicode text. RFC 8785 has no canonical form for
 * one, and JSON readers decode its escape apart (JSON.parse keeps it, Go reads U+FFFD), so a
 * challenge statement or an event leaf holding one is hashed, and shown, differently by each.
 */

/** Only an escape can bring a lone surrogate into parsed text (invalid UTF-8 bytes decode to U+FFFD): a JSON text without one needs no walk. */
export const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;
const LONE_SURROGATE = /\p{Cs}/u;

/** True when a string of `value`, a member's name or a value at any depth, holds a lone surrogate. */
export function holdsLoneSurrogate(value: unknown): boolean {
  if (typeof value === 'string') return LONE_SURROGATE.test(value);
  if (Array.isArray(value)) return value.some(holdsLoneSurrogate);
  if (value !== null && typeof value === 'object') return Object.entries(value).some(([name, member]) => LONE_SURROGATE.test(name) || holdsLoneSurrogate(member));
  return false;
}
