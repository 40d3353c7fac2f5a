import { PROJECTIONS } from '../../projections/projections';
import type { Projection } from '../../projections/projection';
import type { ReadModelStore } from './read-model-store.port';

/** The projections a runner feeds into the store: every read model it does not answer from the event log itself. */
export const projectedModels = (store: Pick<ReadModelStore, 'servedFromLog'>): Projection[] =>
  Object.values(PROJECTIONS).filter((projection) => !store.servedFromLog.has(projection.name));
