/** How the primary tells each worker its index, which names its process metrics and readiness (`worker`). */
const WORKER_INDEX_VARIABLE = 'ZTKEYS_CLUSTER_WORKER_INDEX';

/** The environment the primary forks worker `index` with, beside its roles. */
export const workerIndexEnv = (index: number): Record<string, string> => ({ [WORKER_INDEX_VARIABLE]: String(index) });

/** In a cluster worker: its index (0: the one that runs every role). */
export const workerIndex = (): number => Number(process.env[WORKER_INDEX_VARIABLE]);
