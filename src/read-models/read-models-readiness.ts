import { PROJECTIONS } from '../../projections/projections';
import type { ReadModelName } from '../../projections/projection';
import { backlogs } from '../event-store/backlogs';
import type { EventStore } from '../event-store/event-store.port';
import type { ReadinessCheck } from '../shared/readiness';
import { changedProjections, versionChangeReason } from './projection-versions';
import type { ReadModelStore } from './read-model-store.port';

/** A probe counts this far at most (KurrentDB reads what it counts, and a probe has 2 s): "1000+" says enough. */
const COUNT_CAP = 1000;

/**
 * Readiness of the read models a process answers from: the store answers, and every read model
 * the log feeds has applied the log up to its head as this process found it at start (the
 * initial catch-up). Before that its reads answer from part of the log (a lost or restored
 * read-model file, one a new version rebuilds): wrong answers, not stale ones. A model an older
 * version of its projection built is not ready either, from the start (its checkpoint may be at
 * the head): the projector rebuilds it, and it serves the old documents until the rebuilt
 * generation is active. Once caught up it stays so: a later lag under load is what
 * X-Min-Position and the lag metrics are for, and would make the instance flap in and out of the
 * load balancer. It reads the checkpoints through the
 * store, so it holds wherever the projector runs (its thread, another process) on every adapter.
 */
export class ReadModelsReadiness implements ReadinessCheck {
  readonly name = 'readModels';
  /** The log's head the read models must reach, read once (asked again only while the log does not answer). */
  private head: Promise<bigint | undefined> | undefined;
  private caughtUp: boolean;

  constructor(
    private readonly events: Pick<EventStore, 'headPosition' | 'backlog'>,
    private readonly readModels: Pick<ReadModelStore, 'ping' | 'checkpoint' | 'projectionVersion'>,
    /** The read models this process answers from that the log feeds (projectedModels): none in a process serving no API. */
    private readonly models: readonly ReadModelName[],
  ) {
    this.caughtUp = models.length === 0;
  }

  /** Notes the log's head at start; a log that does not answer yet is asked at the next probe. */
  start(): void {
    if (!this.caughtUp) this.headAtStart().catch(() => undefined);
  }

  async ping(): Promise<boolean> {
    if (!(await this.readModels.ping())) return false;
    if (this.caughtUp) return true;
    const older = (await changedProjections(this.readModels, this.models.map((model) => PROJECTIONS[model]))).filter(({ projection, stored }) => stored < projection.version);
    if (older.length > 0) throw new Error(older.map((change) => `read model ${change.projection.name}: ${versionChangeReason(change)}; rebuilding it from the log`).join(', '));
    const target = await this.headAtStart().catch((error: unknown) => {
      throw new Error(`cannot tell whether they have caught up with the log: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    });
    const positions = await Promise.all(this.models.map(async (model) => [model, await this.readModels.checkpoint(model)] as const));
    const behind = positions.filter(([, at]) => target !== undefined && (at === undefined || at < target));
    if (behind.length === 0) return (this.caughtUp = true);
    const counted = await backlogs(this.events, await this.events.headPosition(), behind, COUNT_CAP);
    const each = behind.map(([model, at]) => {
      const backlog = counted.get(model);
      // Left out: no event of the log is at its checkpoint (the projector names the divergence and rebuilds it).
      if (!backlog) return `${model} at ${at ?? 'its start'} (no event of the log there)`;
      return `${model} at ${at ?? 'its start'} (${backlog.events < COUNT_CAP ? backlog.events : `${COUNT_CAP}+`} events behind)`;
    });
    throw new Error(`catching up with the log up to position ${String(target)}: ${each.join(', ')}`);
  }

  private headAtStart(): Promise<bigint | undefined> {
    return (this.head ??= this.events.headPosition().catch((error: unknown) => {
      this.head = undefined;
      throw error;
    }));
  }
}
