import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadConfig } from './config/app-config';
import { prepareDataDir, serverEntry, storageFaultAtStart } from './config/data-dir';
import { ConfigError } from './config/config-error';
import { logLevelOr } from './config/environment';
import { jsonLogger } from './logging/json-logger';
import type * as Serve from './serve';
import { StartupError } from './shared/startup-error';

const logger = new Logger('ztkeys');

/** Checks the configuration, then starts the roles it names (serve.ts). */
async function main(): Promise<void> {
  // JSON from the first line: what is logged before the Nest app exists goes through pino too, and
  // a LOG_LEVEL pino does not know logs at info while loadConfig() says what is wrong with it.
  Logger.overrideLogger(jsonLogger(logLevelOr('info')));
  const config = loadConfig();
  prepareDataDir(config.dataDir, serverEntry);
  // Required once the configuration holds, not imported: a bad one is refused before the rest of
  // the server loads (about a quarter of its modules are enough to say what is wrong).
  const { serve } = require('./serve') as typeof Serve;
  try {
    await serve(config);
  } catch (error) {
    throw storageFaultAtStart(error, config.dataDir) ?? error;
  }
}

main().catch((error: unknown) => {
  // A configuration fault says what to fix; only the unexpected carries its stack (as `err`).
  if (error instanceof StartupError || error instanceof ConfigError) logger.fatal(`ztkeys cannot start: ${error.message}`);
  else logger.fatal(error);
  // A start that failed while Nest held its lines (bufferLogs): they, and this one, are written before the exit.
  Logger.flush();
  process.exit(1);
});
