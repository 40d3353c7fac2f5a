import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { AnswerSchemas, type OpenApiDocument } from './answer-schemas';
import type { AnswerSchemaOptions } from './compile-answer-schemas';
import { LATER_MEMBERS } from './later-members';

/**
 * The OpenAPI document of API v1 this CLI was built against, as the server serves it: written by
 * `npm run openapi:types` with the types generated from it (a test keeps it equal to the served one).
 */
export const OPENAPI_DOCUMENT_FILE = join(__dirname, 'openapi.generated.json');

/**
 * How the CLI reads the document's answer schemas. Members later releases added are optional: a
 * server of an earlier release answers without them. Objects stay open and the first error is enough.
 */
export const CLI_ANSWER_SCHEMA_OPTIONS: AnswerSchemaOptions = { optionalMembers: LATER_MEMBERS };

/**
 * The CLI's validators of those schemas, generated from the document by ajv with those options
 * (`npm run openapi:types`; a test fails when they differ from what the document gives).
 */
export const ANSWER_VALIDATORS_FILE = join(__dirname, 'answer-validators.generated.js');

let schemas: AnswerSchemas | undefined;
let openApiDocument: OpenApiDocument | undefined;

const loadDocument = (): OpenApiDocument => (openApiDocument ??= JSON.parse(readFileSync(OPENAPI_DOCUMENT_FILE, 'utf8')) as OpenApiDocument);

/**
 * The members the document declares for one of its schemas (`PendingKeyView`): what an item of a
 * list answer may hold, so that --json=fields is checked even when the list came back empty.
 */
export function declaredMembers(schema: string): string[] {
  const properties = (loadDocument().components?.schemas?.[schema] as { properties?: Record<string, unknown> } | undefined)?.properties;
  return Object.keys(properties ?? {});
}

/**
 * What differs between an answer and what the document declares for its operation, or undefined.
 * The document and the validators are loaded at the first answer checked; no schema is compiled.
 */
export function answerMismatches(method: string, pathTemplate: string, status: number, mediaType: string, body: unknown): string[] | undefined {
  schemas ??= loadSchemas();
  return schemas.mismatches(method, pathTemplate, status, mediaType, body);
}

function loadSchemas(): AnswerSchemas {
  // Required here, not imported: the validators load only in a run that checks an answer, not for --help or a local command.
  const validators = require(ANSWER_VALIDATORS_FILE) as Record<string, ValidateFunction>;
  return new AnswerSchemas(loadDocument(), (ref) => validators[ref]);
}
