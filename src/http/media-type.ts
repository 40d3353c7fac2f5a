/** RFC 9110 §5.6.2: a token, as type, subtype and parameter names and values are. */
const TOKEN = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]+";

/** RFC 9110 §5.6.4: qdtext or a quoted-pair between double quotes (obs-text is %x80-FF, as Node gives header bytes). */
const QUOTED_STRING = '"(?:[\\t \\x21\\x23-\\x5B\\x5D-\\x7E\\x80-\\xFF]|\\\\[\\t \\x21-\\x7E\\x80-\\xFF])*"';

const TYPE_AND_SUBTYPE = new RegExp(`^(?:${TOKEN})/(?:${TOKEN})`, 'y');

/** RFC 9110 §5.6.6: `OWS ";" OWS [ parameter ]`, one at a time; `parameter = token "=" ( token / quoted-string )`, no whitespace around "=". */
const PARAMETER = new RegExp(`[ \\t]*;[ \\t]*(?:(${TOKEN})=(?:${TOKEN}|${QUOTED_STRING}))?`, 'y');

/**
 * Whether a Content-Type is one media type as RFC 9110 §8.3.1 writes it: `type/subtype`, then
 * parameters `;name=token` or `;name="quoted string"`, with optional whitespace around each ";",
 * and no parameter named twice (names are case-insensitive). Fastify reads the media type up to
 * the first ";" and takes what follows for parameters where it can: `application/json;charset=utf-8,
 * text/plain` was JSON to it, where a proxy may read a list whose last type is another.
 */
export function isOneMediaType(value: string): boolean {
  TYPE_AND_SUBTYPE.lastIndex = 0;
  if (!TYPE_AND_SUBTYPE.test(value)) return false;
  let at = TYPE_AND_SUBTYPE.lastIndex;
  const names = new Set<string>();
  for (;;) {
    PARAMETER.lastIndex = at;
    const parameter = PARAMETER.exec(value);
    if (parameter === null) break;
    at = PARAMETER.lastIndex;
    const name = parameter[1]?.toLowerCase();
    if (name === undefined) continue;
    if (names.has(name)) return false;
    names.add(name);
  }
  return /^[ \t]*$/.test(value.slice(at));
}
