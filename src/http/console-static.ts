import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ConsoleOidc } from '../config/app-config';

/** Where the web console is served. */
export const CONSOLE_PATH = '/console/';

/**
 * The console's own scripts, styles and API calls only, no inline script or style, no other
 * origin, no framing: a script injected into a page can neither run nor send anything elsewhere.
 * The one exception is the OIDC provider's token endpoint (its origin only), where the console
 * exchanges its authorization code when the deployment configures an OIDC sign-in.
 */
const consoleHeaders = (tokenEndpoint?: string): Record<string, string> => ({
  'content-security-policy': `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'${tokenEndpoint ? ` ${new URL(tokenEndpoint).origin}` : ''}; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
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

/** Serves the built console under /console/ with its security headers; false when it was not built. */
export async function serveConsole(app: NestFastifyApplication, oidc?: ConsoleOidc, root = consoleDirectory()): Promise<boolean> {
  if (!consoleBuilt(root)) return false;
  const headers = consoleHeaders(oidc?.tokenEndpoint);
  await app.register(fastifyStatic, {
    root,
    // Without the trailing slash, so that /console redirects to /console/.
    prefix: CONSOLE_PATH.slice(0, -1),
    redirect: true,
    decorateReply: false,
    setHeaders: (reply) => {
      void reply.headers(headers);
    },
  });
  return true;
}
