import type { FastifyInstance } from 'fastify';
import { DOCS_PATH } from './docs-assets';
import { API_SECURITY_HEADERS } from './api-security-headers';

/**
 * Powerful features no page of this origin uses, refused to it and to anything it would embed: a
 * script that got in asks for no camera, location, payment or device.
 */
const PERMISSIONS_POLICY = [
  'accelerometer', 'camera', 'display-capture', 'geolocation', 'gyroscope', 'hid', 'idle-detection', 'magnetometer',
  'microphone', 'midi', 'payment', 'screen-wake-lock', 'serial', 'usb', 'xr-spatial-tracking',
].map((feature) => `${feature}=()`).join(', ');

/**
 * What every answer of the pages carries, their 404s and refusals included: no framing by another
 * site, no sniffing, no address of the page sent to another site, no window of another site
 * holding on to theirs, no powerful feature. The console's files replace the policy with their
 * whole one (console-static.ts), the docs' with DOCS_POLICY.
 */
const PAGE_HEADERS = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': PERMISSIONS_POLICY,
} as const;

/**
 * The API docs (Swagger UI) share the console's origin, and with it the console's keys: a script
 * running there signs with them as the console does (non-extractable stops reading a key out, not
 * using it). So only the script files the server serves run there; the page's own inline styles
 * and the icons its style sheet holds as data: URLs show.
 */
const DOCS_POLICY = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const DOCS_HEADERS = { ...PAGE_HEADERS, 'content-security-policy': DOCS_POLICY } as const;

const headersFor = (url: string) => (url.startsWith(DOCS_PATH) ? DOCS_HEADERS : url.startsWith('/console') ? PAGE_HEADERS : API_SECURITY_HEADERS);

export function setApiAnswerHeaders(fastify: FastifyInstance): void {
  // onRequest: set before any hook or handler may answer (429, 503 while stopping, a problem).
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.headers(headersFor(request.url));
    done();
  });
}
