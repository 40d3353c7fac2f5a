import type { FastifyInstance } from 'fastify';

/** Where the API docs are served (SwaggerModule.setup). */
export const DOCS_PATH = '/docs';

/**
 * The files of swagger-ui-dist the docs' page loads. @nestjs/swagger serves the whole package
 * folder under /docs/: its package.json and README name the exact Swagger UI version (what a
 * scanner looks up against advisories), its source maps and Node.js modules are no part of the
 * page. Any other file of it is answered as a path nothing takes.
 */
const PAGE_ASSETS = new Set(['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js', 'favicon-32x32.png', 'favicon-16x16.png']);

/** Routes @nestjs/swagger adds under /docs/ itself (the page, and the script holding the document). */
const DOCS_ROUTES = new Set(['', 'swagger-ui-init.js']);

/** Refuses, as not found, every file under /docs/ that the docs' page does not load. */
export function serveDocsPageAssetsOnly(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const path = request.url.split('?', 1)[0];
    if (!path.startsWith(`${DOCS_PATH}/`)) return done();
    const file = path.slice(DOCS_PATH.length + 1);
    if (PAGE_ASSETS.has(file) || DOCS_ROUTES.has(file)) return done();
    reply.callNotFound();
  });
}
