import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPrivateFileWith, makePrivateDir } from '../shared/private-files';
import type { AppConfig } from './app-config';
import { ConfigError } from './config-error';
import { weakSecret } from './secret-strength';

export interface Secrets {
  /** HS256 secret of agent tokens; absent when tokens are verified against JWKS_URL. */
  jwtSecret?: string;
  bootstrapToken: string;
  /** Authenticates challenge ids, so the server keeps no state per challenge. */
  challengeSecret: string;
  /** Files generated on this start, to tell the operator where they are. */
  generated: string[];
}

/** A secret kept in a file; one too weak stops the start, as a weak variable does. */
function fromFile(path: string): string {
  const value = readFileSync(path, 'utf8').trim();
  const problem = weakSecret(value);
  if (problem) throw new ConfigError(`${path} ${problem}`);
  return value;
}

/** A secret from the environment (checked in ./environment.ts), else from its file in DATA_DIR; never generated. */
export function existingSecret(dataDir: string, file: string, fromEnv: string | undefined): string | undefined {
  if (fromEnv) return fromEnv;
  const path = join(dataDir, file);
  return existsSync(path) ? fromFile(path) : undefined;
}

/**
 * A secret from the environment (checked in ./environment.ts), else from its file in DATA_DIR,
 * else generated there (mode 0600).
 */
export function secret(
  dataDir: string,
  file: string,
  fromEnv: string | undefined,
  generated: string[],
  generate: () => string = () => randomBytes(32).toString('base64url'),
): string {
  const existing = existingSecret(dataDir, file, fromEnv);
  if (existing !== undefined) return existing;
  const path = join(dataDir, file);
  makePrivateDir(dataDir);
  const value = generate();
  // Another process of this deployment wrote it first: use theirs.
  if (!createPrivateFileWith(path, `${value}\n`)) return fromFile(path);
  generated.push(path);
  return value;
}

export function loadSecrets(config: AppConfig): Secrets {
  const generated: string[] = [];
  return {
    jwtSecret: config.jwksUrl ? undefined : secret(config.dataDir, 'jwt-secret', config.jwtSecret, generated),
    bootstrapToken: secret(config.dataDir, 'bootstrap-token', config.bootstrapToken, generated),
    challengeSecret: secret(config.dataDir, 'challenge-secret', config.challengeSecret, generated),
    generated,
  };
}

/**
 * What a startup line says of the bootstrap token: the token itself when this start generated it
 * (printed once, so that the operator on one machine can start at once), else where it comes from.
 */
export function bootstrapTokenShown(config: AppConfig, secrets: Secrets): string {
  if (secrets.generated.includes(join(config.dataDir, 'bootstrap-token'))) return secrets.bootstrapToken;
  return config.bootstrapToken ? 'from BOOTSTRAP_TOKEN' : join(config.dataDir, 'bootstrap-token');
}
