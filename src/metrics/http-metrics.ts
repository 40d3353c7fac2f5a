import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, type Registry } from 'prom-client';
import { METHODS } from '../shared/http-methods';

/** Fastify's name for requests that matched no route: one label value, never the raw URL. */
const UNMATCHED = 'unmatched';

/**
 * The method as a label: one the API answers as it is, any other (Node's parser takes some forty:
 * PROPFIND, M-SEARCH...) as OTHER, so that a caller cannot add series by trying them all.
 */
const methodLabel = (method: string): string => (METHODS.includes(method) ? method : 'OTHER');

/**
 * Latency of every HTTP answer by route pattern (`/v1/orgs/:orgId/agents`, never the URL with its
 * ids, which would make one series per organization) and status; plus the 409s, which mean that
 * concurrent changes outlasted every retry. Add before the routes are registered (before listen).
 */
export function measureHttp(fastify: FastifyInstance, registry: Registry): void {
  const registers = [registry];
  const duration = new Histogram({
    name: 'ztkeys_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const conflicts = new Counter({
    name: 'ztkeys_http_conflicts_total',
    help: 'Requests answered 409 Conflict (a concurrent change won every retry, or the state forbids the command)',
    labelNames: ['method', 'route'],
    registers,
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? UNMATCHED;
    const method = methodLabel(request.method);
    duration.observe({ method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    if (reply.statusCode === 409) conflicts.inc({ method, route });
    done();
  });
}
