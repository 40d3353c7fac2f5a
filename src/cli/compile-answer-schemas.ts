import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import standaloneCode from 'ajv/dist/standalone';
import { AnswerSchemas, answerSchemaRefs, DOCUMENT_ID, type OpenApiDocument } from './answer-schemas';

type Schema = { [keyword: string]: unknown };
type Response = OpenApiDocument['paths'][string][string]['responses'][string];

export interface AnswerSchemaOptions {
  /**
   * An object schema without `additionalProperties` refuses members it does not name: what the
   * tests ask of the server (a member a generated client cannot see is a bug of the document).
   * A client leaves it off, so that a newer server's added member does not break it.
   */
  closedObjects?: boolean;
  /** Every error rather than the first (for the tests' messages). */
  allErrors?: boolean;
  /**
   * Members, by schema of components/schemas, that an answer may leave out though the document
   * requires them: what a server of an earlier release does not answer. Present, they are checked.
   */
  optionalMembers?: Readonly<Record<string, readonly string[]>>;
}

/**
 * The answer schemas of a document, each compiled by ajv the first time an answer of it is checked
 * (the tests' answer contract, which asks for options the CLI does not).
 */
export function compileAnswerSchemas(document: OpenApiDocument, options: AnswerSchemaOptions = {}): AnswerSchemas {
  const ajv = documentAjv(document, options, false);
  return new AnswerSchemas(document, (ref) => ajv.getSchema(ref));
}

/**
 * ajv's standalone code (CommonJS) of the validators of every schema an answer of the document is
 * checked with, exported by reference: what the CLI runs, so that a run compiles none
 * (`npm run openapi:types` writes it to src/cli/answer-validators.generated.js).
 */
export function answerValidatorsCode(document: OpenApiDocument, options: AnswerSchemaOptions = {}): string {
  const ajv = documentAjv(document, options, true);
  const refs = answerSchemaRefs(document);
  const code = standaloneCode(ajv, Object.fromEntries(refs.map((ref) => [ref, ref])));
  return `// Generated from openapi.generated.json by npm run openapi:types (ajv standalone code): do not edit.\n${code}\n`;
}

function documentAjv(document: OpenApiDocument, options: AnswerSchemaOptions, source: boolean): Ajv {
  // strict off: OpenAPI's own keywords (example, ...) are no JSON Schema keywords. lines: generated code a diff can show.
  const ajv = new Ajv({ strict: false, validateSchema: false, allErrors: options.allErrors === true, code: { source, lines: source } });
  addFormats(ajv);
  ajv.addSchema(asJsonSchemas(withOptional(document, options.optionalMembers ?? {}), options.closedObjects === true) as unknown as Schema, DOCUMENT_ID);
  return ajv;
}

/**
 * The document with its schemas read as OpenAPI 3.0 means them: `nullable` also allows null
 * where the schema is a reference (ajv reads it only beside `type`, and the allOf would then refuse
 * null), and closed objects when asked. Only schema positions are rewritten, never examples.
 */
function asJsonSchemas(document: OpenApiDocument, closedObjects: boolean): OpenApiDocument {
  const schema = (value: Schema): Schema => {
    const out: Schema = { ...value };
    if (out.properties) out.properties = mapValues(out.properties as Record<string, Schema>, schema);
    for (const keyword of ['items', 'not'] as const) if (isSchema(out[keyword])) out[keyword] = schema(out[keyword]);
    if (isSchema(out.additionalProperties)) out.additionalProperties = schema(out.additionalProperties);
    else if (closedObjects && out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
    for (const keyword of ['allOf', 'anyOf', 'oneOf'] as const) if (Array.isArray(out[keyword])) out[keyword] = (out[keyword] as Schema[]).map(schema);
    if (out.nullable !== true) return out;
    delete out.nullable;
    return { anyOf: [out, { type: 'null' }] };
  };
  const response = (value: Response): Response =>
    value.content ? { ...value, content: mapValues(value.content, (media) => (media.schema ? { ...media, schema: schema(media.schema) } : media)) } : value;
  return {
    ...document,
    paths: mapValues(document.paths, (operations) => mapValues(operations, (operation) => (operation.responses ? { ...operation, responses: mapValues(operation.responses, response) } : operation))),
    components: { ...document.components, schemas: mapValues(document.components?.schemas ?? {}, schema), responses: mapValues(document.components?.responses ?? {}, response) },
  };
}

/** The document with `optional` members no longer required by their schemas. */
function withOptional(document: OpenApiDocument, optional: Readonly<Record<string, readonly string[]>>): OpenApiDocument {
  const schemas = mapValues(document.components?.schemas ?? {}, (value, name) =>
    Array.isArray(value.required) && optional[name] ? { ...value, required: value.required.filter((member: string) => !optional[name].includes(member)) } : value,
  );
  return { ...document, components: { ...document.components, schemas } };
}

const isSchema = (value: unknown): value is Schema => typeof value === 'object' && value !== null && !Array.isArray(value);

const mapValues = <T, U>(record: Record<string, T>, map: (value: T, key: string) => U): Record<string, U> =>
  Object.fromEntries(Object.entries(record).map(([key, value]) => [key, map(value, key)]));
