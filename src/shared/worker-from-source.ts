import { extname, join } from 'node:path';

/**
 * Options of a worker thread that loads this project's modules: run from source (the test
 * suites), it compiles them with the suites' own SWC hook; from dist, none.
 */
export const WORKER_FROM_SOURCE = extname(__filename) === '.ts' ? { execArgv: ['--require', join(__dirname, '../../scripts/register-ts.js')] } : {};
