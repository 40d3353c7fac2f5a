import 'reflect-metadata';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadConfig } from '../config/app-config';
import { createHttpApp } from '../create-http-app';
import { buildRuntime } from '../runtime/build-runtime';

/**
 * `node dist/src/tools/dump-openapi.js [file]` writes the OpenAPI document exactly as the API
 * serves it at /docs-json (through Fastify's in-process injection: no port, throwaway data folder).
 */
async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ztkeys-openapi-'));
  const env = { DATA_DIR: dataDir, ROLES: 'api', LOG_LEVEL: 'silent' };
  process.env.LOG_LEVEL = 'silent';
  const runtime = await buildRuntime(loadConfig(env), env);
  const app = await createHttpApp(runtime);
  try {
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    const reply = await app.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/docs-json' });
    if (reply.statusCode !== 200) throw new Error(`GET /docs-json answered ${reply.statusCode}`);
    const document = `${JSON.stringify(JSON.parse(reply.body), null, 2)}\n`;
    if (process.argv[2]) {
      mkdirSync(dirname(process.argv[2]), { recursive: true });
      writeFileSync(process.argv[2], document);
    }
    else process.stdout.write(document);
  } finally {
    await app.close();
    await runtime.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
