import type { Projection } from '../../projections/projection';
import { StartupError } from '../shared/startup-error';
import type { ReadModelStore } from './read-model-store.port';

/** A read model whose active generation another version of its projection built than this release's. */
export interface ProjectionVersionChange {
  projection: Projection;
  /** The version its active generation is built with (ReadModelStore.projectionVersion). */
  stored: number;
}

/** The models whose active generation another version of their projection built. */
export async function changedProjections(readModels: Pick<ReadModelStore, 'projectionVersion'>, projections: readonly Projection[]): Promise<ProjectionVersionChange[]> {
  const changed: ProjectionVersionChange[] = [];
  for (const projection of projections) {
    const stored = await readModels.projectionVersion(projection.name);
    if (stored !== projection.version) changed.push({ projection, stored });
  }
  return changed;
}

/** Why the projector rebuilds a model at start: an older version of its projection built it. */
export const versionChangeReason = ({ projection, stored }: ProjectionVersionChange): string =>
  `its projection changed (stored version ${stored}, this release's ${projection.version})`;

/**
 * Refuses the start on a model a newer release's projection built, as a newer data format is
 * refused (data-format.ts): rebuilding it with this release's would undo what that release wrote, silently.
 */
export async function refuseNewerProjections(readModels: ReadModelStore, projections: readonly Projection[]): Promise<void> {
  const newer = (await changedProjections(readModels, projections)).find(({ projection, stored }) => stored > projection.version);
  if (!newer) return;
  const { projection, stored } = newer;
  throw new StartupError(
    `read model ${projection.name} was built by version ${stored} of its projection, written by a newer ztkeys; this release knows version ${projection.version}: ` +
      `run the newer release on it, or restore the backup taken before the upgrade`,
  );
}
