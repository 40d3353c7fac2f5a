/**
 * What a JSON text's structure shows before or beside parsing, which JSON.parse does not report:
 * nesting deeper than a bound, or an object naming a member twice (RFC 8259 leaves the value of
 * such a member to each parser; JSON.parse keeps the last, others the first, so two readers of
 * the same text could see two different records), or, when asked (NumberSpelling), a number not
 * written as canonical JSON writes it.
 */
export type JsonTextFault = { kind: 'tooDeep' } | { kind: 'duplicateName'; name: string } | { kind: 'numberSpelling'; text: string; canonical: string };

/**
 * How numbers may be written: `any` spelling JSON allows, or only as canonical JSON (RFC 8785,
 * ECMAScript's Number::toString) writes the number JSON.parse reads, for a text whose canonical
 * form is hashed: JSON.parse reads 1.0000000000000001 as 1, the leaf's, where a reader keeping the
 * digits (jq 1.7, a decimal parser) reads another number. A number beyond a double (1e400) is left
 * to the reader's own check: it has no canonical form.
 */
export type NumberSpelling = 'any' | 'canonical';

/** An open object (the names it has, whether a name comes next) or array (null). */
type Open = { names: Set<string>; nameNext: boolean } | null;

/**
 * The first fault of `text`, scanning once, without recursion, left to right. A text that is not
 * JSON may show no fault: JSON.parse says so. Strings are skipped by their quotes; a member's
 * name is decoded (escapes) before it is compared, so "\u0061" and "a" are one name.
 */
export function jsonTextFault(text: string, maxDepth = Infinity, numbers: NumberSpelling = 'any'): JsonTextFault | undefined {
  const open: Open[] = [];
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (char === 0x22) {
      const end = closingQuote(text, index);
      if (end < 0) return undefined;
      const top = open.at(-1);
      if (top?.nameNext) {
        top.nameNext = false;
        const raw = text.slice(index + 1, end);
        const name = raw.includes('\\') ? decodedString(text.slice(index, end + 1)) : raw;
        if (name === undefined) return undefined;
        if (top.names.has(name)) return { kind: 'duplicateName', name };
        top.names.add(name);
      }
      index = end;
    } else if (char === 0x7b || char === 0x5b) {
      if (open.length >= maxDepth) return { kind: 'tooDeep' };
      open.push(char === 0x7b ? { names: new Set(), nameNext: true } : null);
    } else if (numbers === 'canonical' && (char === 0x2d || (char >= 0x30 && char <= 0x39))) {
      const end = numberEnd(text, index);
      const spelled = text.slice(index, end);
      const value = Number(spelled);
      if (Number.isFinite(value) && String(value) !== spelled) return { kind: 'numberSpelling', text: spelled, canonical: String(value) };
      index = end - 1;
    } else if (char === 0x7d || char === 0x5d) open.pop();
    else if (char === 0x2c) {
      const top = open.at(-1);
      if (top) top.nameNext = true;
    }
  }
  return undefined;
}

/** The index just past the number token starting at `start`: its sign, digits, point and exponent. */
function numberEnd(text: string, start: number): number {
  let end = start + 1;
  while (end < text.length && /[0-9.eE+-]/.test(text[end])) end++;
  return end;
}

/** The index of the quote closing the string opened at `start` (one not escaped by an odd run of backslashes), or -1. */
function closingQuote(text: string, start: number): number {
  let end = start;
  for (;;) {
    end = text.indexOf('"', end + 1);
    if (end < 0) return end;
    let backslashes = 0;
    while (text.charCodeAt(end - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return end;
  }
}

/** A string token's text, or undefined when it is not a JSON string (the parse refuses the text). */
function decodedString(token: string): string | undefined {
  try {
    return JSON.parse(token) as string;
  } catch {
    return undefined;
  }
}

/** Why a number spelled otherwise than canonical JSON writes it is refused, for `what` holds it. */
export const numberSpelled = (what: string, { text, canonical }: { text: string; canonical: string }): string =>
  `${what} writes the number ${text} otherwise than canonical JSON writes it (${canonical}): readers keeping its digits would read another number than its leaf covers`;
