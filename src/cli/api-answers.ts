import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AnswerSchemas } from './answer-schemas';

/**
 * The OpenAPI document of API v1 this CLI was built against, as the server serves it: written by
 * `npm run openapi:types` with the types generated from it (a test keeps it equal to the served one).
 */
export const OPENAPI_DOCUMENT_FILE = join(__dirname, 'openapi.generated.json');

let schemas: AnswerSchemas | undefined;

/**
 * What differs between an answer and what the document declares for its operation, or undefined.
 * The document is read at the first answer checked (not for --help), and each operation's schema
 * compiled at its first answer: a run compiles only what it calls.
 */
export function answerMismatches(method: string, pathTemplate: string, status: number, mediaType: string, body: unknown): string[] | undefined {
  schemas ??= new AnswerSchemas(JSON.parse(readFileSync(OPENAPI_DOCUMENT_FILE, 'utf8')));
  return schemas.mismatches(method, pathTemplate, status, mediaType, body);
}
