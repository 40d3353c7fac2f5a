import type { Server } from 'node:net';
import { Counter, type Registry } from 'prom-client';

/**
 * At most `max` connections open at once in this process; Node drops any past it as it is
 * accepted. Clients that open connections and send nothing (each held up to REQUEST_TIMEOUT_MS)
 * or keep them idle would otherwise take every file descriptor the process may open, and with
 * them what the server itself still needs: a JWKS refresh, Redis or SMTP reconnecting, a backup.
 */
export function capConnections(server: Server, max: number, registry: Registry): void {
  const dropped = new Counter({
    name: 'ztkeys_connections_dropped_total',
    help: 'Connections closed as accepted because MAX_CONNECTIONS were open',
    registers: [registry],
  });
  server.maxConnections = max;
  server.on('drop', () => dropped.inc());
}
