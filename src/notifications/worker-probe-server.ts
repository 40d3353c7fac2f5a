import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

/**
 * /metrics, /health/live and /health/ready of a worker process, for when workers run apart
 * from the API. Live while the process runs; ready only while the queue's store answers.
 * Resolves once listening, rejects with the error of a port it cannot take.
 */
export function serveWorkerProbes(port: number, registry: Registry, ready: () => Promise<boolean>): Promise<Server> {
  const server = createServer((req, res) => {
    const reply = (status: number, type: string, body: string): void => {
      res.writeHead(status, { 'content-type': type }).end(body);
    };
    const route = async (): Promise<void> => {
      if (req.url === '/metrics') reply(200, registry.contentType, await registry.metrics());
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
