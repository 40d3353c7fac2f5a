import { isUtf8 } from 'node:buffer';
import type { FastifyInstance } from 'fastify';
import { withoutByteOrderMark } from '../shared/byte-order-mark';
import { jsonTextFault } from '../shared/json-text-fault';
import { holdsLoneSurrogate, SURROGATE_ESCAPE } from '../shared/lone-surrogate';
import { quoted } from '../shared/quoted';

/** Deepest nesting of arrays and objects a body may have: every DTO of the API needs 3 at most. */
export const MAX_JSON_DEPTH = 32;

/** A 400 Fastify error that the problem filter answers as problem details. */
const badBody = (code: string, message: string) => Object.assign(new Error(message), { statusCode: 400, code });

const tooDeep = () => badBody('JSON_TOO_DEEP', `The JSON body nests deeper than ${MAX_JSON_DEPTH} levels.`);

const twice = (name: string) =>
  badBody('JSON_DUPLICATE_NAME', `The JSON body names the member ${JSON.stringify(name)} twice in one object: parsers disagree on which value it holds.`);

const notUtf8 = () =>
  badBody('JSON_NOT_UTF8', 'The JSON body is not UTF-8 text (RFC 8259): it holds bytes that no UTF-8 character is made of. Send the text as UTF-8, whatever charset the Content-Type names.');

/** No content coding is decoded: a compressed body would otherwise be read as its compressed bytes (or, for a coding named but not applied, as if none were). */
const encoded = (coding: string) =>
  Object.assign(new Error(`Content-Encoding ${JSON.stringify(coding)} is not supported: send the JSON body as it is (identity).`), {
    statusCode: 415,
    code: 'CONTENT_ENCODING_UNSUPPORTED',
  });

/** Fastify's own 415 says only its reason phrase: this names the type sent and what to send instead (R15). */
function unsupportedType(contentType: string | undefined): Error {
  const sent = contentType === undefined ? 'no Content-Type' : `Content-Type ${JSON.stringify(contentType.slice(0, 100))}`;
  return Object.assign(new Error(`The body was sent with ${sent}: bodies are JSON only, sent as application/json.`), { statusCode: 415, code: 'HTTP_415' });
}

/**
 * Fastify's answer to a Content-Type it cannot read as one media type (`;`, `application/`, a list)
 * is its reason phrase alone, given before any parser runs: this says what is wrong and what to send.
 */
export const notOneMediaType = (contentType: string): string =>
  `The body was sent with Content-Type ${quoted(contentType)}, which is not one media type (type/subtype, then any parameters after ";", RFC 9110 §8.3.1): bodies are JSON only, sent as application/json.`;

const notUnicode = () =>
  badBody('JSON_NOT_UNICODE', 'The JSON body holds a string with a lone surrogate escape (\\uD800-\\uDFFF unpaired): it is not Unicode text.');

/** Fastify's parser says only that it refused the body: JSON that parses was refused for a name that could pollute prototypes. */
function whyNotParsed(text: string): Error {
  if (text.trim() === '') return badBody('JSON_MALFORMED', 'The body is empty, yet its Content-Type names JSON: send a JSON object ({} on a route that takes nothing), or neither a body nor a Content-Type.');
  try {
    // Past the byte order mark, as Fastify's parser reads.
    JSON.parse(withoutByteOrderMark(text));
  } catch {
    return badBody('JSON_MALFORMED', 'The body is not valid JSON.');
  }
  return badBody('JSON_FORBIDDEN_NAME', 'The JSON body has a member named "__proto__", or "constructor" holding "prototype": no field of this API has such a name.');
}

/**
 * Bodies are JSON only (Nest would also parse forms, and Fastify plain text: 415 instead). Depth is
 * checked on the text before parsing, so validation never recurses into a hostile body (a stack
 * overflow); a member named twice in one object is refused, so a proxy that reads the first value
 * and ztkeys cannot read two different commands. The bytes must be UTF-8 and no content coding is
 * applied (415). A string must be Unicode text: RFC 8785 has no canonical form for a lone surrogate,
 * so a challenge statement or an event leaf holding one could not be rebuilt by another verifier.
 */
export function acceptJsonBodiesOnly(fastify: FastifyInstance): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const coding = request.headers['content-encoding'];
    if (coding !== undefined && coding.trim().toLowerCase() !== 'identity') return done(encoded(coding), undefined);
    // Decoding would turn each such byte into U+FFFD silently: a name or a task written to the log other than the client sent.
    if (!isUtf8(body as Buffer)) return done(notUtf8(), undefined);
    const text = (body as Buffer).toString('utf8');
    const fault = jsonTextFault(text, MAX_JSON_DEPTH);
    if (fault?.kind === 'tooDeep') return done(tooDeep(), undefined);
    return parse(request, text, (error, parsed) => {
      if (error) return done(whyNotParsed(text), undefined);
      if (fault?.kind === 'duplicateName') return done(twice(fault.name), undefined);
      if (SURROGATE_ESCAPE.test(text) && holdsLoneSurrogate(parsed)) return done(notUnicode(), undefined);
      return done(null, parsed);
    });
  });
  fastify.addContentTypeParser('*', (request, _body, done) => done(unsupportedType(request.headers['content-type']), undefined));
}
