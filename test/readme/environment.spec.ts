import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { loadConfig } from '../../src/config/app-config';
import { ENVIRONMENT_VARIABLES, readEnvironment } from '../../src/config/environment';
import { signerFromSeed, verifierKeyText } from '../../src/transparency/signed-note';
import { loadWitnessConfig } from '../../src/witness/witness-config';
import { ROOT, WitnessProcess } from '../witness/support/witness-process';

const README = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

/** The rows of README's `| variable | meaning | default |` tables: the variables of the first cell, the default cell. */
function variableRows(): { names: string[]; defaults: string; line: string }[] {
  const rows = [];
  let inTable = false;
  for (const line of README.split('\n')) {
    if (/^\| variable \| meaning \| default \|/.test(line)) inTable = true;
    else if (!line.startsWith('|')) inTable = false;
    else if (inTable && !line.startsWith('| ---')) {
      const cells = line.replace(/^\| /, '').replace(/ \|$/, '').split(' | ');
      rows.push({ names: [...cells[0].matchAll(/`([A-Z][A-Z0-9_]*\*?)`/g)].map(([, name]) => name), defaults: cells.at(-1)!, line });
    }
  }
  return rows;
}

/** README's configuration tables against src/config/environment.ts, the one place variables are read. */
describe('README, environment variables', () => {
  const rows = variableRows();
  const defaults = readEnvironment({}) as Record<string, unknown>;

  it('names in its tables only variables the configuration reads, and each variable it reads somewhere', () => {
    const named = rows.flatMap((row) => row.names);
    expect(named.length).toBeGreaterThan(50);
    const known = (name: string) => (name.endsWith('*') ? ENVIRONMENT_VARIABLES.some((variable) => variable.startsWith(name.slice(0, -1))) : (ENVIRONMENT_VARIABLES as string[]).includes(name));
    expect(named.filter((name) => !known(name))).toEqual([]);
    // Rate limits are named RATE_LIMIT_<NAME> once, their names in the Security table (`X_PER_AGENT`, `_PER_ORG`).
    const documented = (variable: string) => {
      const limit = variable.replace(/^RATE_LIMIT_/, '');
      if (limit === variable) return README.includes(variable);
      return README.includes(`\`${limit}\``) || README.includes(`\`${limit.replace(/_PER_ORG$/, '_PER_AGENT')}\`, \`_PER_ORG\``);
    };
    expect(ENVIRONMENT_VARIABLES.filter((variable) => !documented(variable))).toEqual([]);
  });

  it('gives the defaults the configuration applies', () => {
    const wrong = rows.flatMap(({ names, defaults: cell, line }) => {
      const shown = [...cell.matchAll(/`([^`]+)`/g)].map(([, value]) => value);
      // A default given as a value per variable (`12`, `5000`); "none", "generated ..." and the like are prose.
      return names.flatMap((name, i) => {
        const actual = defaults[name];
        if (shown[i] === undefined || (typeof actual !== 'number' && typeof actual !== 'string')) return [];
        return String(actual) === shown[i] ? [] : [`${name}: README ${shown[i]}, code ${String(actual)} (${line.slice(0, 60)}...)`];
      });
    });
    expect(wrong).toEqual([]);
  });

  it('says how long an email is retried as the defaults make it: attempt n+1 waits EMAIL_BACKOFF_MS × 2^(n-1)', () => {
    const { EMAIL_ATTEMPTS: attempts, EMAIL_BACKOFF_MS: backoffMs } = readEnvironment({});
    const hours = (backoffMs * (2 ** (attempts - 1) - 1)) / 3_600_000;
    const said = rows
      .filter((row) => row.names.includes('EMAIL_ATTEMPTS'))
      .map((row) => /about (\d+(?:\.\d+)?) h(?: (\d+) min)?/.exec(row.defaults))
      .map((match) => (match ? Number(match[1]) + Number(match[2] ?? 0) / 60 : NaN));
    expect(said.length).toBeGreaterThan(1);
    for (const value of said) expect(Math.abs(value - hours) / hours).toBeLessThan(0.05);
  });
});

interface ComposeService {
  command?: string[];
  environment: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  profiles?: string[];
  healthcheck: { test: string[] };
}
const COMPOSE = load(readFileSync(join(__dirname, '..', '..', 'docker-compose.yml'), 'utf8')) as { 'x-ztkeys': { environment: Record<string, string> }; services: Record<string, ComposeService> };

/** An environment of docker-compose.yml as compose makes it from `shell`: `${NAME:-default}` is the shell's value, else the default. */
function composeEnvironment(shell: Record<string, string>, environment: Record<string, string> = COMPOSE['x-ztkeys'].environment): Record<string, string> {
  return Object.fromEntries(
    Object.entries(environment).map(([name, value]) => [name, value.replace(/\$\{(\w+):-([^}]*)\}/g, (_, variable: string, fallback: string) => shell[variable] || fallback)]),
  );
}

describe('README, the compose deployment', () => {
  it('takes from the shell (or .env) what README has an operator set: an OIDC provider with its issuer, audience and token types, the console sign-in, a /metrics token', () => {
    expect(loadConfig(composeEnvironment({}))).toMatchObject({ jwksUrl: undefined, metricsToken: undefined });
    const shell = {
      JWKS_URL: 'https://id.example/jwks',
      JWT_ISSUER: 'https://id.example',
      JWT_AUDIENCE: 'ztkeys-api',
      JWT_TYPES: 'at+jwt',
      OIDC_AUTHORIZATION_URL: 'https://id.example/authorize',
      OIDC_TOKEN_URL: 'https://id.example/token',
      OIDC_CLIENT_ID: 'console',
      METRICS_TOKEN: 'a-scraper-token',
    };
    expect(loadConfig(composeEnvironment(shell))).toMatchObject({
      jwksUrl: shell.JWKS_URL,
      jwtIssuer: shell.JWT_ISSUER,
      jwtAudience: shell.JWT_AUDIENCE,
      jwtTypes: ['at+jwt'],
      consoleOidc: { clientId: 'console' },
      metricsToken: shell.METRICS_TOKEN,
    });
  });
});

describe('docker-compose.yml, the shared witness', () => {
  const witness = COMPOSE.services.witness;
  const logKeys = verifierKeyText(signerFromSeed('ztkeys.test/audit-log', Buffer.alloc(32, 7)));

  it('runs the built witness from the image, in a profile of its own, on a volume of its own, its port published, its probe its /health/ready', () => {
    expect(witness.profiles).toEqual(['witness']);
    expect(witness.command).toEqual(['node', 'dist/src/witness/witness.main.js']);
    expect(existsSync(join(ROOT, witness.command![1]))).toBe(true);
    const config = loadWitnessConfig(composeEnvironment({ WITNESS_LOG_KEYS: logKeys }, witness.environment));
    expect(config).toMatchObject({ host: '0.0.0.0', port: 3100, logKeys: [[expect.objectContaining({ name: 'ztkeys.test/audit-log' })]], metricsToken: undefined });
    expect(witness.volumes).toEqual([`witness-data:${config.key.dataDir}`]);
    expect(witness.ports).toEqual(['${WITNESS_PUBLISHED_PORT:-3100}:3100']);
    expect(witness.healthcheck.test.join(' ')).toContain("fetch('http://127.0.0.1:3100/health/ready')");
    // The servers are given its URL and key from the shell, as README says.
    const witnesses = 'http://witness:3100 w.test/witness+00000000+BAAA';
    expect(loadConfig(composeEnvironment({}))).toMatchObject({ witnesses: undefined, witnessQuorum: 0 });
    expect(loadConfig(composeEnvironment({ WITNESSES: witnesses, WITNESS_QUORUM: '1' }))).toMatchObject({ witnesses, witnessQuorum: 1 });
  });

  it('with that environment (port and folder aside) the witness starts and its probe answers 200', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'ztkeys-compose-witness-'));
    const started = WitnessProcess.spawn({ ...composeEnvironment({ WITNESS_LOG_KEYS: logKeys }, witness.environment), WITNESS_PORT: '0', WITNESS_HOST: '127.0.0.1', WITNESS_DATA_DIR: folder });
    try {
      const { url } = await started.listening();
      expect((await fetch(`${url}/health/ready`)).status).toBe(200);
    } finally {
      await started.stop();
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
