import { readFileSync, writeFileSync } from 'node:fs';
import type { OpenApiDocument } from '../cli/answer-schemas';
import { CLI_ANSWER_SCHEMA_OPTIONS } from '../cli/api-answers';
import { answerValidatorsCode } from '../cli/compile-answer-schemas';

/**
 * `node dist/src/tools/answer-validators.js <openapi.json> <file.js>` writes the CLI's answer
 * validators for that document (ajv's standalone code), so that a CLI run compiles no schema.
 */
const [documentFile, outFile] = process.argv.slice(2);
if (!documentFile || !outFile) {
  console.error('usage: node dist/src/tools/answer-validators.js <openapi.json> <file.js>');
  process.exit(2);
}
const document = JSON.parse(readFileSync(documentFile, 'utf8')) as OpenApiDocument;
writeFileSync(outFile, answerValidatorsCode(document, CLI_ANSWER_SCHEMA_OPTIONS));
