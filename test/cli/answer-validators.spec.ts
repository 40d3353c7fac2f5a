import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { AnswerSchemas, answerSchemaRefs, type OpenApiDocument } from '../../src/cli/answer-schemas';
import { ANSWER_VALIDATORS_FILE, CLI_ANSWER_SCHEMA_OPTIONS, OPENAPI_DOCUMENT_FILE } from '../../src/cli/api-answers';
import { answerValidatorsCode, compileAnswerSchemas } from '../../src/cli/compile-answer-schemas';
import { EXIT } from '../../src/cli/exit-codes';
import { CLI_BUILT, runProcess } from './support/cli-process';
import { standInApi, type StandInApi } from './support/stand-in-api';

const RECORDED = join(__dirname, 'fixtures', 'release-2026-12-01');

/**
 * The CLI checks each answer against the OpenAPI document with validators ajv generated from it
 * ahead of time (src/cli/answer-validators.generated.js): a run compiles no schema.
 */
describe('the answer validators', () => {
  let api: StandInApi;
  let home: string;
  let body: unknown;

  beforeAll(async () => {
    api = await standInApi('validators', (request, response) => {
      request.resume();
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    });
    home = api.home;
  });
  afterAll(() => api.close());

  const document = JSON.parse(readFileSync(OPENAPI_DOCUMENT_FILE, 'utf8')) as OpenApiDocument;

  it('are what ajv generates from the committed document with the CLI’s options (npm run openapi:types regenerates them)', () => {
    expect(readFileSync(ANSWER_VALIDATORS_FILE, 'utf8')).toBe(answerValidatorsCode(document, CLI_ANSWER_SCHEMA_OPTIONS));
  });

  it('find the same differences as compiling the document does, for every answer the document declares', () => {
    const validators = require(ANSWER_VALIDATORS_FILE) as Record<string, ValidateFunction>;
    expect(Object.keys(validators).sort()).toEqual(answerSchemaRefs(document).sort());
    const generated = new AnswerSchemas(document, (ref) => validators[ref]);
    const compiled = compileAnswerSchemas(document, CLI_ANSWER_SCHEMA_OPTIONS);
    // Answers wrong in many ways, and real ones: recorded from a server of an earlier release, without the later members.
    const recorded = readdirSync(RECORDED).filter((file) => file.endsWith('.json') && file !== 'openapi.json').map((file) => JSON.parse(readFileSync(join(RECORDED, file), 'utf8')) as unknown);
    const bodies: unknown[] = [null, [], 'x', 42, {}, { position: 42 }, { items: [{}] }, { items: [{ agentId: 7 }], nextCursor: null }, { agents: [{}], totals: {} }, ...recorded];
    let checked = 0;
    for (const [path, operations] of Object.entries(document.paths))
      for (const [method, operation] of Object.entries(operations))
        for (const status of Object.keys(operation.responses).filter((key) => /^\d{3}$/.test(key)))
          for (const mediaType of ['application/json', 'application/problem+json'])
            for (const body of bodies) {
              const answer = [method, path, Number(status), mediaType, body] as const;
              expect({ answer, mismatches: generated.mismatches(...answer) }).toEqual({ answer, mismatches: compiled.mismatches(...answer) });
              checked++;
            }
    expect(checked).toBeGreaterThan(1000);
  });

  /** The built CLI (run npm run build first), with the files of the modules its run loaded. */
  const ztkeys = async (args: string[]) => {
    const loadedFile = join(home, 'loaded.json');
    const command = [CLI_BUILT[0], '--require', join(__dirname, 'support/record-loaded-modules.js'), ...CLI_BUILT.slice(1)];
    const run = await runProcess(command, args, { env: { PATH: process.env.PATH, ZTKEYS_HOME: home, LOADED_MODULES_FILE: loadedFile } });
    return { ...run, loaded: JSON.parse(readFileSync(loadedFile, 'utf8')) as string[] };
  };
  /** ajv's compiler and what it loads; not what generated code calls: ajv's runtime helpers (ajv/dist/runtime) and ajv-formats' formats. */
  const compiler = (files: string[]) => files.filter((file) => /\/node_modules\/(ajv|ajv-formats|json-schema-traverse|fast-uri)\//.test(file) && !/\/ajv\/dist\/runtime\/|\/ajv-formats\/dist\/formats\.js$/.test(file));

  it('checks an answer without loading ajv’s compiler, and names what differs as before', async () => {
    body = { agents: [], totals: { agents: 0, withActiveKey: 0, pending: 0, none: 0, byKeyStatus: {} } };
    const ok = await ztkeys(['status']);
    expect(ok.code).toBe(EXIT.OK);
    expect(ok.loaded).toContainEqual(expect.stringMatching(/\/dist\/src\/cli\/answer-validators\.generated\.js$/));
    expect(compiler(ok.loaded)).toEqual([]);

    body = { agents: [] };
    const wrong = await ztkeys(['status']);
    expect(wrong).toMatchObject({ code: EXIT.SERVER, stderr: "ztkeys: The server's answer is not what API v1 answers: totals: is missing.\n" });
    expect(compiler(wrong.loaded)).toEqual([]);
  });
});
