import { call } from '../support/api-client';
import { startTestServer, type TestServer } from '../support/test-server';
import { openApiPath, registeredRoutes, type Route } from './registered-routes';

interface Operation {
  security?: Record<string, string[]>[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { content?: Record<string, unknown> }>;
}

describe('OpenAPI description', () => {
  let server: TestServer;
  let routes: Route[];
  let document: { paths: Record<string, Record<string, Operation>>; components: { securitySchemes: Record<string, { type: string; scheme: string }>; schemas: Record<string, unknown> } };

  beforeAll(async () => {
    server = await startTestServer();
    routes = registeredRoutes(server.app);
    const reply = await call(server, 'GET', '/docs-json');
    expect(reply.status).toBe(200);
    document = reply.body;
  });
  afterAll(() => server.close());

  const operation = (route: Route): Operation | undefined => document.paths[openApiPath(route.path)]?.[route.method.toLowerCase()];

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

  it('declares bearer security on every route that needs a token', () => {
    expect(document.components.securitySchemes.agent).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
    expect(document.components.securitySchemes.operator).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
    for (const route of routes) {
      const schemes = (operation(route)?.security ?? []).flatMap((requirement) => Object.keys(requirement));
      const expected = route.access === 'public' ? [] : [route.access];
      expect({ route: `${route.method} ${route.path}`, schemes }).toEqual({ route: `${route.method} ${route.path}`, schemes: expected });
    }
  });

  it('documents problem+json error answers on every API route', () => {
    expect(document.components.schemas.Problem).toEqual(expect.objectContaining({ required: expect.arrayContaining(['status', 'detail', 'code']) }));
    const errors: Record<Route['access'], string[]> = { agent: ['400', '401', '403', '404'], operator: ['400', '401'], metrics: ['401'], public: [] };
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

  it('serves the interactive documentation as HTML at /docs', async () => {
    const reply = await call(server, 'GET', '/docs');
    expect(reply.status).toBe(200);
    expect(reply.contentType).toMatch(/^text\/html/);
    expect(reply.body).toMatch(/swagger-ui/i);
  });
});
