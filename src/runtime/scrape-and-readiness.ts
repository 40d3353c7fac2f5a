import cluster from 'node:cluster';
import type { Registry } from 'prom-client';
import type { MetricsScrape } from '../metrics/metrics-scrape.port';
import { collectProcessMetrics } from '../metrics/process-metrics';
import type { ReadinessCheck, ReadinessProbe } from '../shared/readiness';
import { joinClusterGather } from './cluster-gather';
import { ClusterMetricsScrape } from './cluster-metrics-scrape';
import { workerIndex } from './cluster-worker-index';
import { ClusterReadiness } from './cluster-readiness';
import { ProcessReadiness } from './process-readiness';

/**
 * What /metrics and /health/ready answer from: this process's registry and checks, or, in a cluster
 * worker, the cluster's, gathered from every worker through the primary (the cluster hands each
 * connection to one worker, and Prometheus or a load balancer sees one server). A worker's process
 * metrics carry its index as `worker`: per worker, not added up, since what one reads them for is
 * which process is short of CPU, memory or event loop, and a `sum without (worker)` still gives the whole.
 */
export function scrapeAndReadiness(registry: Registry, checks: readonly ReadinessCheck[]): { scrape: MetricsScrape; readiness: ReadinessProbe } {
  const own = new ProcessReadiness(checks);
  if (!cluster.isWorker) {
    collectProcessMetrics(registry);
    return { scrape: { text: () => registry.metrics() }, readiness: own };
  }
  collectProcessMetrics(registry, { worker: String(workerIndex()) });
  const gather = joinClusterGather({ metrics: () => registry.getMetricsAsJSON(), readiness: () => own.probe() });
  return { scrape: new ClusterMetricsScrape(gather), readiness: new ClusterReadiness(gather) };
}
