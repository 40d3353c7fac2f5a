import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ConsoleOidc } from '../config/app-config';
import { quoted } from '../shared/quoted';
import { PROBLEM_CONTENT_TYPE, problem } from './problem';

/** Where the web console is served. */
export const CONSOLE_PATH = '/console/';

/**
 * The console's own scripts, styles and API calls only, no inline script or style, no other
 * origin, no framing: a script injected into a page can neither run nor send anything elsewhere.
 * The one exception is the OIDC provider's token endpoint (its origin only), where the console
 * exchanges its authorization code when the deployment configures an OIDC sign-in. Workers: the
 * console's own script files only (the audit verification's), never a blob: or data: one. The
 * headers every page carries (Referrer-Policy, Permissions-Policy, ...) come with every answer
 * under /console (api-answer-headers.ts).
 */
const consoleHeaders = (tokenEndpoint?: string): Record<string, string> => ({
  'content-security-policy': `default-src 'self'; script-src 'self'; worker-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'${tokenEndpoint ? ` ${new URL(tokenEndpoint).origin}` : ''}; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
  // index.html names hashed assets: it must be fetched afresh; the assets can be cached.
  'cache-control': 'no-cache',
});

/** The repository (or image) root: the nearest folder above this file holding package.json. */
function packageRoot(from: string): string {
  for (let folder = from; ; folder = dirname(folder)) {
    if (existsSync(join(folder, 'package.json'))) return folder;
    if (dirname(folder) === folder) return from;
  }
}

/** The web console as built by `npm run build` (Vite, into dist/console). */
export const consoleDirectory = (): string => join(packageRoot(__dirname), 'dist', 'console');

/** True once `npm run build` has built the console. */
export const consoleBuilt = (root = consoleDirectory()): boolean => existsSync(join(root, 'index.html'));

/**
 * What @fastify/static refuses, said as a problem: its own error reads "Forbidden" or "Bad
 * Request" alone. A path with a "." or ".." segment or an empty one is refused so that no route
 * guard is skipped by another reading of it; a NUL ends a file name early.
 */
const REFUSALS: Record<number, { code: string; detail: (path: string) => string }> = {
  403: { code: 'CONSOLE_PATH_NOT_CANONICAL', detail: (path) => `The console serves canonical paths only: ${path} holds a "." or ".." segment, or an empty one ("//").` },
  400: { code: 'CONSOLE_PATH_MALFORMED', detail: (path) => `The path ${path} holds a NUL (%00): no file of the console has one.` },
  412: { code: 'CONSOLE_PRECONDITION_FAILED', detail: (path) => `The console file at ${path} does not match the request's If-Match or If-Unmodified-Since: it changed since.` },
  416: { code: 'CONSOLE_RANGE_NOT_SATISFIABLE', detail: (path) => `The Range asked for lies outside the console file at ${path}.` },
};

/** The console's refusals as above; anything else (a file it cannot read) to `otherwise`, the application's problem filter. */
const answerRefusal = (otherwise: FastifyInstance) => (error: FastifyError, request: FastifyRequest, reply: FastifyReply): unknown => {
  const refusal = error.statusCode === undefined ? undefined : REFUSALS[error.statusCode];
  if (!refusal) return otherwise.errorHandler.call(otherwise, error, request, reply);
  return reply
    .status(error.statusCode!)
    .header('content-type', PROBLEM_CONTENT_TYPE)
    .send(problem(error.statusCode!, refusal.code, refusal.detail(quoted(request.url.split('?', 1)[0]))));
};

/** Serves the built console under /console/ with its security headers; false when it was not built. */
export async function serveConsole(app: NestFastifyApplication, oidc?: ConsoleOidc, root = consoleDirectory()): Promise<boolean> {
  if (!consoleBuilt(root)) return false;
  const headers = consoleHeaders(oidc?.tokenEndpoint);
  // In a context of its own, so that its error handler answers the console's refusals only.
  const application: FastifyInstance = app.getHttpAdapter().getInstance();
  await app.register(async (scope: FastifyInstance) => {
    scope.setErrorHandler(answerRefusal(application));
    await scope.register(fastifyStatic, {
      root,
      // Without the trailing slash, so that /console redirects to /console/.
      prefix: CONSOLE_PATH.slice(0, -1),
      redirect: true,
      decorateReply: false,
      setHeaders: (reply) => {
        void reply.headers(headers);
      },
    });
  });
  return true;
}
