import { collectDefaultMetrics, type Registry } from 'prom-client';

/**
 * Node.js process metrics (CPU, memory, event loop, GC), with `labels` on each (a cluster worker's
 * index), without nodejs_version_info: the exact runtime version tells an attacker which known flaws to try.
 */
export function collectProcessMetrics(registry: Registry, labels: Record<string, string> = {}): void {
  collectDefaultMetrics({ register: registry, labels });
  registry.removeSingleMetric('nodejs_version_info');
}
