import { Counter, Gauge, Registry } from 'prom-client';
import { collectProcessMetrics } from '../metrics/process-metrics';
import { ADD_CHECKPOINT_RESULTS, type AddCheckpointResult } from './add-checkpoint-result';
import type { SqliteWitnessStore } from './sqlite-witness-store';

/** The witness's own registry: Node's process metrics, its add-checkpoint outcomes and the origins it holds (README, Operating). */
export class WitnessMetrics {
  readonly registry = new Registry();
  private readonly outcomes: Counter<'result'>;

  constructor(store: SqliteWitnessStore) {
    collectProcessMetrics(this.registry);
    this.outcomes = new Counter({
      name: 'ztkeys_witness_add_checkpoint_total',
      help: 'add-checkpoint requests answered, by result (forked and inconsistent: a checkpoint signed by the log that is not the history cosigned; backdated: a larger one signed before the last one cosigned; retired_key: signed by a log key retired before the key of the last one cosigned)',
      labelNames: ['result'],
      registers: [this.registry],
    });
    // Every result from 0, so that an alert's increase() sees the first fork.
    for (const result of ADD_CHECKPOINT_RESULTS) this.outcomes.inc({ result }, 0);
    new Gauge({
      name: 'ztkeys_witness_origins',
      help: 'Origins (one per org and log key name) of which the witness holds a cosigned checkpoint',
      registers: [this.registry],
      collect() {
        this.set(store.origins());
      },
    });
  }

  count(result: AddCheckpointResult): void {
    this.outcomes.inc({ result });
  }
}
