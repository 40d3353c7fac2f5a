/**
 * The OpenAPI document is built at the first request for the docs, and once: a start does not pay
 * for it (0.1-0.2 s of CPU, see README's Environment), and every later answer serves the same one.
 * SwaggerModule.createDocument is watched, not replaced: the real document is built and served.
 */
import { SwaggerModule } from '@nestjs/swagger';
import { startTestServer } from '../support/test-server';

describe('the OpenAPI document', () => {
  it('is built at the first request for the docs, once, not at start', async () => {
    const built = jest.spyOn(SwaggerModule, 'createDocument');
    const server = await startTestServer();
    try {
      expect(built).not.toHaveBeenCalled();
      const first = await fetch(`${server.url}/docs-json`);
      expect(first.status).toBe(200);
      const document = (await first.json()) as { openapi: string; paths: Record<string, unknown> };
      expect(document.openapi).toMatch(/^3\.0\./);
      expect(Object.keys(document.paths).length).toBeGreaterThan(10);
      expect((await fetch(`${server.url}/docs-yaml`)).status).toBe(200);
      expect(await (await fetch(`${server.url}/docs-json`)).json()).toEqual(document);
      expect(built).toHaveBeenCalledTimes(1);
    } finally {
      built.mockRestore();
      await server.close();
    }
  });
});
