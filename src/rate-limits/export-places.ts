import { limitKey } from './limit-key';

export type ExportLimit = 'concurrent_exports_per_org' | 'concurrent_exports_per_agent';

export interface ExportCaller {
  orgId: string;
  agentId: string;
}

/** A place taken (`release` gives it back, once), or the bound that was full. */
export type ExportPlace = { release: () => void } | { full: ExportLimit; max: number };

/** Where export places are counted: this process's ExportPlaces, or the cluster primary's (ClusterExportPlaces). */
export interface ExportPlaceCounter {
  take(caller: ExportCaller): Promise<ExportPlace>;
}

/**
 * The count of exports under way: at most `perOrg` of one org and `perAgent` of one agent. Held by
 * the process that serves them, or, in a cluster, by its primary for every worker.
 */
export class ExportPlaces implements ExportPlaceCounter {
  private readonly running = new Map<string, number>();

  constructor(private readonly max: { perOrg: number; perAgent: number }) {}

  take(caller: ExportCaller): Promise<ExportPlace> {
    return Promise.resolve(this.takeNow(caller));
  }

  takeNow(caller: ExportCaller): ExportPlace {
    // The agent's bound first: an agent at its own bound is told so, not that its org is busy.
    const places = (
      [
        ['concurrent_exports_per_agent', this.max.perAgent],
        ['concurrent_exports_per_org', this.max.perOrg],
      ] as const
    ).map(([limit, max]) => ({ limit, max, key: `${limit}:${limitKey(limit, caller)}` }));
    const full = places.find(({ key, max }) => (this.running.get(key) ?? 0) >= max);
    if (full) return { full: full.limit, max: full.max };
    for (const { key } of places) this.running.set(key, (this.running.get(key) ?? 0) + 1);
    let given = false;
    return {
      release: () => {
        if (given) return;
        given = true;
        for (const { key } of places) {
          const left = this.running.get(key)! - 1;
          if (left === 0) this.running.delete(key);
          else this.running.set(key, left);
        }
      },
    };
  }
}
