import { mintAgentToken } from '../auth/token-minter';
import { loadConfig } from '../config/app-config';
import { existingSecret } from '../config/secrets';
import { ID_PATTERN } from '../domain/streams';
import { type ToolLine, toolCommand, ToolUsageError } from '../shared/tool-command-line';

const USAGE = 'usage: npm run token -- --org <orgId> --agent <agentId> [--ttl <seconds, a positive integer, default 43200>]';
const OPTIONS = { org: { type: 'string' }, agent: { type: 'string' }, ttl: { type: 'string', default: '43200' } } as const;

/** The token to mint, or a ToolUsageError saying why the options name none. */
function tokenToMint({ values, positionals }: ToolLine<typeof OPTIONS>): { org: string; agent: string; ttl: number } {
  if (positionals.length > 0) throw new ToolUsageError(`Unexpected argument '${positionals[0]}': it takes options only`);
  const ttl = Number(values.ttl);
  if (!values.org || !ID_PATTERN.test(values.org)) throw new ToolUsageError('--org needs an organization id');
  if (!values.agent || !ID_PATTERN.test(values.agent)) throw new ToolUsageError('--agent needs an agent id');
  if (!/^\d+$/.test(values.ttl) || !Number.isSafeInteger(ttl) || ttl <= 0) throw new ToolUsageError(`--ttl must be a positive number of seconds, got "${values.ttl}"`);
  return { org: values.org, agent: values.agent, ttl };
}

/**
 * `npm run token -- --org <orgId> --agent <agentId> [--ttl <seconds>]` prints an agent token signed
 * with the configured HS256 secret (JWT_SECRET, else DATA_DIR/jwt-secret). For one machine only:
 * production tokens come from the OIDC provider behind JWKS_URL.
 */
async function main(): Promise<number> {
  const line = toolCommand(process.argv.slice(2), USAGE, OPTIONS, tokenToMint);
  if ('exit' in line) return line.exit;
  const options = line.command;
  const config = loadConfig();
  if (config.jwksUrl) {
    process.stderr.write('JWKS_URL is set: tokens come from your OIDC provider, not from this command.\n');
    return 2;
  }
  if (options.ttl > config.jwtMaxLifetimeSeconds) {
    process.stderr.write(`--ttl ${options.ttl} is over the longest lifetime the server accepts (JWT_MAX_LIFETIME_SECONDS=${config.jwtMaxLifetimeSeconds}).\n`);
    return 2;
  }
  // Never generated here: a token signed with a secret of its own would be refused by the server (401).
  const jwtSecret = existingSecret(config.dataDir, 'jwt-secret', config.jwtSecret);
  if (jwtSecret === undefined) {
    process.stderr.write(`DATA_DIR ${config.dataDir} holds no jwt-secret: start the server first (it generates one), or run this with the server's DATA_DIR or JWT_SECRET.\n`);
    return 2;
  }
  process.stdout.write(`${await mintAgentToken(jwtSecret, { agentId: options.agent, orgId: options.org }, options.ttl, { issuer: config.jwtIssuer, audience: config.jwtAudience })}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`token: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
