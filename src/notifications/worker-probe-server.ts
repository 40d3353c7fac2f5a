import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import { PROBLEM_CONTENT_TYPE, problem } from '../http/problem';
import { bearerToken, sameSecret } from '../shared/bearer-token';

/**
 * /metrics, /health/live and /health/ready of a worker process, for when workers run apart
 * from the API. Live while the process runs; ready only while the queue's store answers. With
 * `metricsToken` (METRICS_TOKEN), /metrics answers that bearer token only, as the API's does.
 * Resolves once listening, rejects with the error of a port it cannot take.
 */
export function serveWorkerProbes(port: number, registry: Registry, ready: () => Promise<boolean>, metricsToken?: string): Promise<Server> {
  const scraper = (authorization: string | undefined): boolean => {
    const token = bearerToken(authorization);
    return metricsToken === undefined || (token !== undefined && sameSecret(token, metricsToken));
  };
  const server = createServer((req, res) => {
    const reply = (status: number, type: string, body: string): void => {
      res.writeHead(status, { 'content-type': type }).end(body);
    };
    const route = async (): Promise<void> => {
      if (req.url === '/metrics' && !scraper(req.headers.authorization)) {
        reply(401, PROBLEM_CONTENT_TYPE, JSON.stringify(problem(401, 'UNAUTHENTICATED', '/metrics needs the METRICS_TOKEN of this deployment.')));
      } else if (req.url === '/metrics') reply(200, registry.contentType, await registry.metrics());
      else if (req.url === '/health/live') reply(200, 'application/json', '{"status":"ok"}');
      else if (req.url === '/health/ready') {
        const ok = await ready();
        reply(ok ? 200 : 503, 'application/json', JSON.stringify({ status: ok ? 'ok' : 'error', queue: ok ? 'up' : 'down' }));
      } else reply(404, 'application/json', '{"status":"not found"}');
    };
    route().catch(() => reply(500, 'application/json', '{"status":"error"}'));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve(server));
  });
}
