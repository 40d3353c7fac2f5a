import { collectDefaultMetrics, type Registry } from 'prom-client';

/**
 * Node.js process metrics (CPU, memory, event loop, GC), without nodejs_version_info: the exact
 * runtime version tells an attacker which known flaws to try.
 */
export function collectProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
  registry.removeSingleMetric('nodejs_version_info');
}
