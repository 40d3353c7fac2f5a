import { AggregatorRegistry, type Registry } from 'prom-client';
import { type MetricsScrape, MetricsUnavailable } from '../metrics/metrics-scrape.port';
import { ClusterDidNotAnswer, type Gather } from './cluster-gather';

/** One worker's registry as prom-client's JSON. */
type WorkerMetrics = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

/**
 * Each of our gauges reads a state the deployment shares (the email queue's depth, a follower's lag
 * behind the one log, the last self-check): two workers reading it must count it once, so the
 * highest reading, where prom-client would add them. Counters and histograms are added up. The
 * process metrics are apart already: each worker's carry its `worker` label (scrape-and-readiness.ts).
 */
const gaugesByMax = (metrics: WorkerMetrics): WorkerMetrics => metrics.map((metric) => (String(metric.type) === 'gauge' ? { ...metric, aggregator: 'max' } : metric));

/**
 * The metrics of every worker of the cluster as one scrape, whichever worker takes it: the counters
 * of each (added up) and the series of every role. A worker that did not answer in time, or a primary
 * that did not, leaves no scrape: part of the counters would read to Prometheus as a counter reset.
 * A worker still starting has counted nothing yet: the scrape goes on without it.
 */
export class ClusterMetricsScrape implements MetricsScrape {
  constructor(private readonly gather: Gather) {}

  async text(): Promise<string> {
    const answers = await this.gather('metrics').catch((error: unknown) => {
      throw error instanceof ClusterDidNotAnswer ? new MetricsUnavailable(error.message) : error;
    });
    const silent = answers.filter((answer) => 'missing' in answer && answer.missing === 'silent').map(({ worker }) => worker);
    if (silent.length > 0) throw new MetricsUnavailable(`worker ${silent.join(', ')} did not answer in time`);
    const metrics = answers.flatMap((answer) => ('answer' in answer ? [gaugesByMax(answer.answer as WorkerMetrics)] : []));
    return AggregatorRegistry.aggregate(metrics).metrics();
  }
}
