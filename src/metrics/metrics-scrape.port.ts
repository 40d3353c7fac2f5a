/** What /metrics answers, in the Prometheus text format: this process's metrics, or (WORKERS > 1) the cluster's as one. */
export interface MetricsScrape {
  text(): Promise<string>;
}

export const METRICS_SCRAPE = Symbol('METRICS_SCRAPE');

/** The scrape cannot be answered whole (a cluster's primary or worker did not answer in time): part of the counters would read to Prometheus as a counter reset. */
export class MetricsUnavailable extends Error {}
