/** What /metrics answers, in the Prometheus text format: this process's metrics, or (WORKERS > 1) the cluster's as one. */
export interface MetricsScrape {
  text(): Promise<string>;
}

export const METRICS_SCRAPE = Symbol('METRICS_SCRAPE');
