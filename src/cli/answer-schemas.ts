import type { ErrorObject, ValidateFunction } from 'ajv';

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

/**
 * The validator of one schema of the document, by its reference (`openapi.json#/components/schemas/Problem`),
 * or undefined when there is none: compiled by ajv (compile-answer-schemas.ts), or generated ahead of time.
 */
export type AnswerValidators = (ref: string) => ValidateFunction | undefined;

/** Where the document's schemas are, for ajv's references. */
export const DOCUMENT_ID = 'openapi.json';

/**
 * What the OpenAPI document declares for an answer (status, media type, body schema), and what
 * differs in one; each schema is checked by the validator `validators` gives for its reference.
 */
export class AnswerSchemas {
  constructor(
    private readonly document: OpenApiDocument,
    private readonly validators: AnswerValidators,
  ) {}

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
    const { pointer, content } = declaredResponse(this.document, pathTemplate, method, statusKey);
    if (Object.keys(content).length === 0) return body === '' || body === undefined ? undefined : [`${name} declares no body for ${status}`];
    if (!(mediaType in content)) return [`content type "${mediaType}" is not declared for ${status} of ${name} (declared: ${Object.keys(content).join(', ')})`];
    const schema = content[mediaType].schema;
    if (!schema || body === undefined) return undefined;
    return this.validate(schemaRef(pointer, mediaType, schema), body);
  }

  /** What differs between a body and the document's schema `name` (components/schemas), or undefined. */
  schemaMismatches(name: string, body: unknown): string[] | undefined {
    return this.validate(refOf(['components', 'schemas', name]), body);
  }

  private validate(ref: string, body: unknown): string[] | undefined {
    const validate = this.validators(ref);
    if (!validate) throw new Error(`No validator for ${ref}`);
    return validate(body) ? undefined : (validate.errors ?? []).map(describeError);
  }
}

/** The reference of every schema that an answer the document declares is checked with. */
export function answerSchemaRefs(document: OpenApiDocument): string[] {
  const refs = new Set<string>();
  for (const [pathTemplate, operations] of Object.entries(document.paths))
    for (const [method, operation] of Object.entries(operations))
      for (const statusKey of Object.keys(operation.responses ?? {})) {
        const { pointer, content } = declaredResponse(document, pathTemplate, method, statusKey);
        for (const [mediaType, { schema }] of Object.entries(content)) if (schema) refs.add(schemaRef(pointer, mediaType, schema));
      }
  return [...refs];
}

/** The response the document declares for a status of an operation: where it is, and its content by media type. */
function declaredResponse(document: OpenApiDocument, pathTemplate: string, method: string, statusKey: string): { pointer: string[]; content: NonNullable<Response['content']> } {
  const declared = document.paths[pathTemplate][method.toLowerCase()].responses[statusKey];
  const shared = declared.$ref?.replace('#/components/responses/', '');
  const pointer = shared === undefined ? ['paths', pathTemplate, method.toLowerCase(), 'responses', statusKey] : ['components', 'responses', shared];
  return { pointer, content: (shared === undefined ? declared : document.components?.responses?.[shared])?.content ?? {} };
}

/**
 * The reference of the schema of a media type of the response at `pointer`. Most answers are a bare
 * reference (Problem, a view): that one, so that all that share it share its validator.
 */
function schemaRef(pointer: string[], mediaType: string, schema: Schema): string {
  const referenced = typeof schema.$ref === 'string' && Object.keys(schema).length === 1 ? schema.$ref.replace(/^#\//, '').split('/').map(unescapePointer) : undefined;
  return refOf(referenced ?? [...pointer, 'content', mediaType, 'schema']);
}

const refOf = (pointer: string[]): string => `${DOCUMENT_ID}#/${pointer.map((part) => encodeURIComponent(part.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/')}`;

const unescapePointer = (part: string): string => part.replace(/~1/g, '/').replace(/~0/g, '~');

/** The member that differs as a dotted path (items.0.agentId), and how. */
function describeError(error: ErrorObject): string {
  const parts = error.instancePath.slice(1).split('/').filter((part) => part !== '').map(unescapePointer);
  if (error.keyword === 'required') return `${[...parts, String(error.params.missingProperty)].join('.')}: is missing`;
  if (error.keyword === 'additionalProperties') return `${[...parts, String(error.params.additionalProperty)].join('.')}: is not in the document`;
  return `${parts.join('.') || 'the answer'}: ${error.message ?? error.keyword}`;
}
