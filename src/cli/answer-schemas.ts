import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

type Schema = { [keyword: string]: unknown };
interface Response {
  content?: Record<string, { schema?: Schema }>;
  /** #/components/responses/<name>: an answer many operations share. */
  $ref?: string;
}
/** The parts of an OpenAPI 3.0 document read here. */
export interface OpenApiDocument {
  paths: Record<string, Record<string, { responses: Record<string, Response> }>>;
  components?: { schemas?: Record<string, Schema>; responses?: Record<string, Response> };
}

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

/** Where the document's schemas are, for ajv's references. */
const DOCUMENT_ID = 'openapi.json';

/**
 * The response schemas of an OpenAPI 3.0 document, checked with ajv: each operation's schema is
 * compiled the first time an answer of it is checked, and only then (a CLI run calls one or two).
 */
export class AnswerSchemas {
  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly document: OpenApiDocument;

  constructor(document: OpenApiDocument, options: AnswerSchemaOptions = {}) {
    this.document = asJsonSchemas(withOptional(document, options.optionalMembers ?? {}), options.closedObjects === true);
    // strict off: OpenAPI's own keywords (example, ...) are no JSON Schema keywords.
    this.ajv = new Ajv({ strict: false, validateSchema: false, allErrors: options.allErrors === true });
    addFormats(this.ajv);
    this.ajv.addSchema(this.document as unknown as Schema, DOCUMENT_ID);
  }

  /** True when the document describes `method pathTemplate`. */
  has(method: string, pathTemplate: string): boolean {
    return this.document.paths[pathTemplate]?.[method.toLowerCase()]?.responses !== undefined;
  }

  /**
   * What differs between an answer and what the document declares for it (status, media type,
   * body), or undefined when nothing does. `body` is the parsed JSON, or the text of another media
   * type ('' when there is none); undefined when it was not read (HEAD).
   */
  mismatches(method: string, pathTemplate: string, status: number, mediaType: string, body: unknown): string[] | undefined {
    const name = `${method.toUpperCase()} ${pathTemplate}`;
    const operation = this.document.paths[pathTemplate]?.[method.toLowerCase()];
    if (!operation?.responses) return [`${name} is no operation of the document`];
    const statusKey = [String(status), `${String(status)[0]}XX`, 'default'].find((key) => key in operation.responses);
    if (statusKey === undefined) return [`status ${status} is not declared for ${name} (declared: ${Object.keys(operation.responses).join(', ')})`];
    const shared = operation.responses[statusKey].$ref?.replace('#/components/responses/', '');
    const pointer = shared === undefined ? ['paths', pathTemplate, method.toLowerCase(), 'responses', statusKey] : ['components', 'responses', shared];
    const content = (shared === undefined ? operation.responses[statusKey] : this.document.components?.responses?.[shared])?.content ?? {};
    if (Object.keys(content).length === 0) return body === '' || body === undefined ? undefined : [`${name} declares no body for ${status}`];
    if (!(mediaType in content)) return [`content type "${mediaType}" is not declared for ${status} of ${name} (declared: ${Object.keys(content).join(', ')})`];
    const schema = content[mediaType].schema;
    if (!schema || body === undefined) return undefined;
    // Most answers are a bare reference (Problem, a view): compiled once for all that share it.
    const referenced = typeof schema.$ref === 'string' && Object.keys(schema).length === 1 ? schema.$ref.replace(/^#\//, '').split('/').map(unescapePointer) : undefined;
    return this.validate(referenced ?? [...pointer, 'content', mediaType, 'schema'], body);
  }

  /** What differs between a body and the document's schema `name` (components/schemas), or undefined. */
  schemaMismatches(name: string, body: unknown): string[] | undefined {
    return this.validate(['components', 'schemas', name], body);
  }

  private validate(pointer: string[], body: unknown): string[] | undefined {
    const validate = this.validator(pointer);
    return validate(body) ? undefined : (validate.errors ?? []).map(describeError);
  }

  private validator(pointer: string[]): ValidateFunction {
    const ref = `${DOCUMENT_ID}#/${pointer.map((part) => encodeURIComponent(part.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/')}`;
    let validate = this.compiled.get(ref);
    if (!validate) {
      validate = this.ajv.compile({ $ref: ref });
      this.compiled.set(ref, validate);
    }
    return validate;
  }
}

const unescapePointer = (part: string): string => part.replace(/~1/g, '/').replace(/~0/g, '~');

/** The member that differs as a dotted path (items.0.agentId), and how. */
function describeError(error: ErrorObject): string {
  const parts = error.instancePath.slice(1).split('/').filter((part) => part !== '').map(unescapePointer);
  if (error.keyword === 'required') return `${[...parts, String(error.params.missingProperty)].join('.')}: is missing`;
  if (error.keyword === 'additionalProperties') return `${[...parts, String(error.params.additionalProperty)].join('.')}: is not in the document`;
  return `${parts.join('.') || 'the answer'}: ${error.message ?? error.keyword}`;
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
