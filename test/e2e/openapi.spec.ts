import { askedFields, CHALLENGE_PURPOSE_NAMES } from '../../src/domain/shared/challenge-purposes';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { OPENAPI_DOCUMENT_FILE } from '../../src/cli/api-answers';
import { shownTextProblem } from '../../src/shared/shown-text-rule';
import { call } from '../support/api-client';
import { serverForSuite } from '../support/server-for-suite';
import { expectNothingWritten, expectProblem } from './expectations';
import { openApiPath, registeredRoutes, type Route } from './registered-routes';

interface StringSchema {
  type?: string;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  enum?: string[];
  format?: string;
}

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: StringSchema;
}

/** Texts a pattern of an id might forbid: a character no id takes ($, space, ö, braces, a leading "-"), and one too long. */
const FORBIDDEN_BY_PATTERN = ['$ne', '-bob', 'b ö', '{"$ne":null}', 'a'.repeat(129)];

/**
 * Values just outside a documented string schema: one character past its maxLength, one short of
 * a minLength above 1 (an empty segment is another path), texts its pattern forbids within its
 * bounds, and a member of no enum. A format this does not know fails the test: it cannot probe it.
 */
function outside(schema: StringSchema): string[] {
  const bounded = (value: string) => value.length >= (schema.minLength ?? 0) && value.length <= (schema.maxLength ?? Infinity);
  const pattern = schema.pattern === undefined ? undefined : new RegExp(schema.pattern, 'u');
  if (schema.format !== undefined) throw new Error(`no probe of the format ${schema.format}`);
  return [
    ...(schema.maxLength === undefined ? [] : ['a'.repeat(schema.maxLength + 1)]),
    ...((schema.minLength ?? 0) > 1 ? ['a'.repeat(schema.minLength! - 1)] : []),
    ...(pattern ? FORBIDDEN_BY_PATTERN.filter((value) => !pattern.test(value) && bounded(value)) : []),
    ...(schema.enum ? [`not-${schema.enum.join('-')}`] : []),
  ];
}

/** Whether a value is within a documented string schema (the formats aside, which outside refuses). */
const isWithin = (schema: StringSchema, value: string): boolean =>
  value.length >= (schema.minLength ?? 0) &&
  value.length <= (schema.maxLength ?? Infinity) &&
  (schema.pattern === undefined || new RegExp(schema.pattern, 'u').test(value)) &&
  (schema.enum === undefined || schema.enum.includes(value));

interface Operation {
  operationId?: string;
  security?: Record<string, string[]>[];
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

describe('OpenAPI description', () => {
  const suite = serverForSuite();
  let routes: Route[];
  let document: { paths: Record<string, Record<string, Operation>>; components: { securitySchemes: Record<string, { type: string; scheme: string; bearerFormat?: string }>; schemas: Record<string, unknown> } };

  beforeAll(async () => {
    routes = registeredRoutes(suite.server.app);
    const reply = await call(suite.server, 'GET', '/docs-json');
    expect(reply.status).toBe(200);
    document = reply.body;
  });

  const operation = (route: Route): Operation | undefined => document.paths[openApiPath(route.path)]?.[route.method.toLowerCase()];

  it('is the document the CLI checks answers against and its types come from (npm run openapi:types writes it)', () => {
    expect(JSON.parse(readFileSync(OPENAPI_DOCUMENT_FILE, 'utf8'))).toEqual(document);
  });

  it('finds the routes the controllers define', () => {
    const listed = routes.map((route) => `${route.method} ${route.path}`);
    for (const expected of [
      'POST /v1/orgs',
      'POST /v1/orgs/:orgId/agents',
      'PATCH /v1/orgs/:orgId/agents/:agentId',
      'DELETE /v1/orgs/:orgId/agents/:agentId',
      'DELETE /v1/orgs/:orgId/agents/:agentId/key',
      'POST /v1/orgs/:orgId/challenges',
      'POST /v1/orgs/:orgId/key-requests',
      'GET /v1/orgs/:orgId/key-requests/:requestId',
      'POST /v1/orgs/:orgId/key-requests/:requestId/approve',
      'POST /v1/orgs/:orgId/key-requests/:requestId/reject',
      'PUT /v1/orgs/:orgId/agents/:agentId/browsers/:browserId/prompt-frequency',
      'POST /v1/orgs/:orgId/agents/:agentId/browsers/:browserId/logout',
      'POST /v1/orgs/:orgId/sensitive-tasks',
      'GET /health/live',
      'GET /health/ready',
      'GET /metrics',
    ]) {
      expect(listed).toContain(expected);
    }
  });

  it('describes every route, and nothing else', () => {
    const described = Object.entries(document.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`));
    expect(described.sort()).toEqual(routes.map((route) => `${route.method} ${openApiPath(route.path)}`).sort());
  });

  it('documents a JSON request body for every command that takes one', () => {
    const commands = routes.filter((route) => route.hasBody);
    expect(commands.length).toBeGreaterThanOrEqual(10);
    for (const route of commands) {
      const body = operation(route)?.requestBody;
      expect({ route: `${route.method} ${route.path}`, schema: body?.content['application/json']?.schema }).toEqual({
        route: `${route.method} ${route.path}`,
        schema: expect.anything(),
      });
    }
  });

  it('describes the challenge body per purpose, from the same table as its validation', () => {
    const schema = operation({ method: 'POST', path: '/v1/orgs/:orgId/challenges' } as Route)!.requestBody!.content['application/json'].schema as {
      oneOf: { properties: { purpose: { enum: string[] } }; required: string[]; additionalProperties: boolean }[];
    };
    const described = Object.fromEntries(schema.oneOf.map((option) => [option.properties.purpose.enum[0], [...option.required].sort()]));
    const expected = Object.fromEntries(CHALLENGE_PURPOSE_NAMES.map((purpose) => [purpose, ['purpose', ...askedFields(purpose)].sort()]));
    expect(described).toEqual(expected);
    expect(described.KEY_DECISION).toEqual(['decision', 'purpose', 'requestId']);
    expect(schema.oneOf.every((option) => option.additionalProperties === false)).toBe(true);
  });

  it("documents a text field's whole rule as its one pattern, read as OpenAPI 3.0 reads it (no u flag): it takes what the server takes", () => {
    const body = (path: string, method: string) => document.paths[path][method].requestBody!.content['application/json'].schema as { properties: Record<string, { pattern: string }> };
    const patterns = {
      'one line': body('/v1/orgs/{orgId}/sensitive-tasks', 'post').properties.task.pattern,
      lines: body('/v1/orgs/{orgId}/agents/{agentId}/key', 'delete').properties.reason.pattern,
    };
    const texts = ['Alice', 'Alice\u200B', '\u200B', 'Al\u00ADice', 'Zo\u00EB \u{1F469}\u{1F3FD}\u200D\u{1F4BB}', 'I \u2764\uFE0F', 'Alice\u200D', 'x\u{E0041}', 'a \u{1F3F4}\u{E0067}\u{E0062}\u{E0077}\u{E006C}\u{E0073}\u{E007F}', 'Acme ', 'two\nlines', 'tab\there', '\u001b[2J', 'A\uFEFFB'];
    for (const lines of ['one line', 'lines'] as const) {
      const documented = new RegExp(patterns[lines]);
      for (const text of texts) expect({ lines, text, documented: documented.test(text) }).toEqual({ lines, text, documented: shownTextProblem(text, lines) === undefined });
      // Read with the u flag (ajv's default), astral characters are no surrogate pairs: it takes the astral invisible ones too, and agrees on the rest.
      const unicode = new RegExp(patterns[lines], 'u');
      for (const text of texts.filter((text) => !/[\uDB40-\uDB43]/.test(text) || text.includes('\u{1F3F4}'))) expect({ lines, text, unicode: unicode.test(text) }).toEqual({ lines, text, unicode: shownTextProblem(text, lines) === undefined });
      expect(unicode.test('x\u{E0041}')).toBe(true);
    }
  });

  it('declares bearer security on every route that needs a token', () => {
    expect(document.components.securitySchemes.agent).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
    expect(document.components.securitySchemes.operator).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
    for (const route of routes) {
      const schemes = (operation(route)?.security ?? []).flatMap((requirement) => Object.keys(requirement));
      const expected = route.access === 'public' ? [] : route.access === 'agent-or-operator' ? ['agent', 'operator'] : [route.access];
      expect({ route: `${route.method} ${route.path}`, schemes }).toEqual({ route: `${route.method} ${route.path}`, schemes: expected });
    }
  });

  it('documents problem+json error answers on every API route', () => {
    expect(document.components.schemas.Problem).toEqual(expect.objectContaining({ required: expect.arrayContaining(['status', 'detail', 'code']) }));
    const errors: Record<Route['access'], string[]> = { agent: ['400', '401', '403', '404'], 'agent-or-operator': ['400', '401', '403', '404'], operator: ['400', '401'], metrics: ['401'], public: [] };
    for (const route of routes) {
      const responses = operation(route)!.responses;
      for (const status of errors[route.access]) {
        expect({ route: `${route.method} ${route.path}`, status, content: Object.keys(responses[status]?.content ?? {}) }).toEqual({
          route: `${route.method} ${route.path}`,
          status,
          content: ['application/problem+json'],
        });
      }
    }
  });

  const apiRoutes = () => routes.filter((route) => route.path.startsWith('/v1/'));
  const label = (route: Route) => `${route.method} ${route.path}`;

  it('declares Retry-After on every 503, and a 503 on every API route (a server stopping answers SHUTTING_DOWN on any of them)', () => {
    for (const route of routes) {
      const responses = operation(route)!.responses as Record<string, { headers?: Record<string, unknown>; description?: string }>;
      if (route.path.startsWith('/v1/')) expect({ route: label(route), declares503: '503' in responses }).toEqual({ route: label(route), declares503: true });
      if (!responses['503']) continue;
      expect({ route: label(route), headers: Object.keys(responses['503'].headers ?? {}) }).toEqual({ route: label(route), headers: ['Retry-After'] });
    }
  });

  it("names AUDIT_LOG_TAMPERED in the 503 of exactly the commands that append to an org's log: every one of an org's routes that is no read, but its challenges (they append nothing)", () => {
    for (const route of routes) {
      const responses = operation(route)!.responses as Record<string, { description?: string }>;
      const appends = route.method !== 'GET' && route.path.startsWith('/v1/orgs/:orgId/') && !route.path.endsWith('/challenges');
      expect({ route: label(route), names: responses['503']?.description?.includes('AUDIT_LOG_TAMPERED') ?? false }).toEqual({ route: label(route), names: appends });
    }
  });

  it('says each paragraph of an answer once: a decorator adding to a status another declared appends its own words, not theirs again', () => {
    for (const route of routes) {
      for (const [status, answer] of Object.entries(operation(route)!.responses as Record<string, { description?: string }>)) {
        const paragraphs = (answer.description ?? '').split('\n\n');
        const repeated = paragraphs.filter((paragraph, i) => paragraphs.some((other, j) => j !== i && other.startsWith(paragraph)));
        expect({ route: label(route), status, repeated }).toEqual({ route: label(route), status, repeated: [] });
      }
    }
  });

  it('declares the body of every success answer, and a unique operationId', () => {
    const ids = new Set<string>();
    for (const route of apiRoutes()) {
      const { operationId, responses } = operation(route)!;
      const success = Object.entries(responses).filter(([status]) => /^2\d\d$/.test(status));
      const schemas = success.flatMap(([, answer]) => Object.values(answer.content ?? {}).map((media) => media.schema));
      expect({ route: label(route), statuses: success.length, schemas: schemas.length }).toEqual({ route: label(route), statuses: 1, schemas: 1 });
      expect(operationId).toMatch(/^[a-z][A-Za-z]+$/);
      ids.add(operationId!);
    }
    expect(ids.size).toBe(apiRoutes().length);
  });

  it('declares every path parameter, X-Min-Position as an optional header of the reads, and If-Match of a policy change', () => {
    // The reads served by read models, which may lag the log: only they wait for a position.
    const READ_MODEL_READS = [
      '/v1/orgs/:orgId/key-requests',
      '/v1/orgs/:orgId/zero-trust-status',
      '/v1/orgs/:orgId/audit-log',
      '/v1/orgs/:orgId/audit-log/export',
      '/v1/orgs/:orgId/audit-log/checkpoint',
      '/v1/orgs/:orgId/audit-log/consistency',
      '/v1/orgs/:orgId/audit-log/inclusion',
      '/v1/orgs/:orgId/as-of',
    ];
    for (const route of apiRoutes()) {
      const parameters = operation(route)!.parameters ?? [];
      const inPath = [...route.path.matchAll(/:(\w+)/g)].map((match) => match[1]).sort();
      const declared = parameters.filter((parameter) => parameter.in === 'path' && parameter.required).map((parameter) => parameter.name);
      expect({ route: label(route), path: declared.sort() }).toEqual({ route: label(route), path: inPath });
      const headers = parameters.filter((parameter) => parameter.in === 'header').map((parameter) => ({ name: parameter.name.toLowerCase(), required: parameter.required }));
      const expected =
        route.method === 'GET' && READ_MODEL_READS.includes(route.path)
          ? [{ name: 'x-min-position', required: false }]
          : label(route) === 'PUT /v1/orgs/:orgId/policy'
            ? [{ name: 'if-match', required: false }]
            : [];
      expect({ route: label(route), headers }).toEqual({ route: label(route), headers: expected });
    }
  });

  it('answers a path parameter outside its documented schema (maxLength, pattern, enum) with 400 problem+json naming it, as a body field outside its schema, and writes nothing', async () => {
    const alice = await suite.journey.createOrg('alice');
    // A token of a role each operation permits, and the other parameters within their schemas: the caller's own org, and "alice".
    const tokens: Partial<Record<Route['access'], string>> = { agent: alice.token, 'agent-or-operator': alice.token, operator: suite.server.bootstrapToken };
    const within = (parameter: Parameter) => {
      const value = parameter.name === 'orgId' ? alice.orgId : 'alice';
      expect({ [parameter.name]: value, within: isWithin(parameter.schema ?? {}, value) }).toEqual({ [parameter.name]: value, within: true });
      return value;
    };
    const wrong: unknown[] = [];
    let sent = 0;
    await expectNothingWritten(suite.server, async () => {
      for (const route of apiRoutes()) {
        const inPath = (operation(route)!.parameters ?? []).filter((parameter) => parameter.in === 'path');
        for (const parameter of inPath) {
          for (const value of outside(parameter.schema ?? {})) {
            expect({ [parameter.name]: value, within: isWithin(parameter.schema ?? {}, value) }).toEqual({ [parameter.name]: value, within: false });
            const path = openApiPath(route.path).replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(name === parameter.name ? value : within(inPath.find((other) => other.name === name)!)));
            const reply = await call(suite.server, route.method, path, tokens[route.access]);
            sent += 1;
            const fields = (reply.body.errors as { field: string }[] | undefined)?.map((error) => error.field);
            if (reply.status === 400 && reply.body.code === 'INVALID_INPUT' && JSON.stringify(fields) === JSON.stringify([parameter.name]) && reply.body.detail.includes(parameter.name)) {
              expectProblem(reply, 400, 'INVALID_INPUT');
            } else {
              wrong.push({ route: label(route), [parameter.name]: value.length > 20 ? `${value.slice(0, 8)}... (${value.length} characters)` : value, status: reply.status, code: reply.body.code, fields, detail: reply.body.detail });
            }
          }
        }
      }
    });
    expect(sent).toBeGreaterThanOrEqual(50);
    expect(wrong).toEqual([]);
  });

  it('declares Idempotency-Key once, as a reusable optional header, referenced by exactly the commands that take it', () => {
    const reference = { $ref: '#/components/parameters/IdempotencyKey' };
    const components = document.components as { parameters?: Record<string, { in: string; name: string; required: boolean }> };
    expect(components.parameters?.IdempotencyKey).toEqual(expect.objectContaining({ in: 'header', name: 'Idempotency-Key', required: false }));
    const taking = apiRoutes()
      .filter((route) => ((operation(route)!.parameters ?? []) as unknown[]).some((parameter) => JSON.stringify(parameter) === JSON.stringify(reference)))
      .map(label);
    expect(taking.sort()).toEqual([
      'POST /v1/orgs',
      'POST /v1/orgs/:orgId/key-requests',
      'POST /v1/orgs/:orgId/sensitive-tasks',
      'PUT /v1/orgs/:orgId/agents/:agentId/browsers/:browserId/prompt-frequency',
    ]);
    for (const route of apiRoutes().filter((route) => taking.includes(label(route)))) {
      const responses = operation(route)!.responses as Record<string, { description: string }>;
      expect({ route: label(route), 400: responses['400'].description, 422: responses['422'].description }).toEqual({
        route: label(route),
        400: expect.stringContaining('INVALID_IDEMPOTENCY_KEY'),
        422: expect.stringContaining('IDEMPOTENCY_KEY_REUSED'),
      });
    }
  });

  it('describes the agent token as a JWT and the bootstrap token as an opaque bearer token', () => {
    expect(document.components.securitySchemes.agent.bearerFormat).toBe('JWT');
    expect(document.components.securitySchemes.operator.bearerFormat).toBeUndefined();
  });

  it('describes the NDJSON export and the promptRequired 401', () => {
    const exported = document.paths['/v1/orgs/{orgId}/audit-log/export'].get.responses['200'].content!;
    expect(Object.keys(exported)).toEqual(['application/x-ndjson']);
    const refused = document.paths['/v1/orgs/{orgId}/sensitive-tasks'].post.responses['401'].content!['application/problem+json'].schema;
    expect(refused).toEqual({ $ref: '#/components/schemas/PromptRequiredProblem' });
    expect(document.components.schemas.PromptRequiredProblem).toEqual(expect.objectContaining({ required: expect.arrayContaining(['promptRequired', 'code']) }));
  });

  it('matches the committed generated client types (npm run openapi:types regenerates them)', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'ztkeys-openapi-'));
    try {
      writeFileSync(join(folder, 'openapi.json'), JSON.stringify(document));
      const check = promisify(execFile)('npm', ['run', '-s', 'openapi:typescript', '--', join(folder, 'openapi.json'), '--check'], { cwd: join(__dirname, '../..') });
      await expect(check).resolves.toBeDefined();
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('serves the interactive documentation as HTML at /docs', async () => {
    const reply = await call(suite.server, 'GET', '/docs');
    expect(reply.status).toBe(200);
    expect(reply.contentType).toMatch(/^text\/html/);
    expect(reply.body).toMatch(/swagger-ui/i);
  });
});
