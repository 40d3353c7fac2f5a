import { parseArgs } from 'node:util';
import { mintAgentToken } from '../auth/token-minter';
import { loadConfig } from '../config/app-config';
import { loadSecrets } from '../config/secrets';
import { ID_PATTERN } from '../domain/streams';

/**
 * `npm run token -- --org <orgId> --agent <agentId> [--ttl <seconds>]` prints an agent token signed
 * with the configured HS256 secret (JWT_SECRET, else DATA_DIR/jwt-secret). For one machine only:
 * production tokens come from the OIDC provider behind JWKS_URL.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { org: { type: 'string' }, agent: { type: 'string' }, ttl: { type: 'string', default: '43200' } } });
  const ttl = Number(values.ttl);
  if (!values.org || !values.agent || !ID_PATTERN.test(values.org) || !ID_PATTERN.test(values.agent) || !Number.isInteger(ttl) || ttl <= 0) {
    console.error('usage: npm run token -- --org <orgId> --agent <agentId> [--ttl <seconds, default 43200>]');
    process.exit(2);
  }
  const config = loadConfig();
  if (config.jwksUrl) {
    console.error('JWKS_URL is set: tokens come from your OIDC provider, not from this command.');
    process.exit(2);
  }
  if (ttl > config.jwtMaxLifetimeSeconds) {
    console.error(`--ttl ${ttl} is over the longest lifetime the server accepts (JWT_MAX_LIFETIME_SECONDS=${config.jwtMaxLifetimeSeconds}).`);
    process.exit(2);
  }
  const { jwtSecret } = loadSecrets(config);
  console.log(await mintAgentToken(jwtSecret!, { agentId: values.agent, orgId: values.org }, ttl, { issuer: config.jwtIssuer, audience: config.jwtAudience }));
}

void main();
