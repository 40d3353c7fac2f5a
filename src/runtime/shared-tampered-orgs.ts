import type { Redis } from 'ioredis';
import type { TamperedOrgs } from '../application/tampered-orgs';

/** How often an API process that runs no check reads what the deployment's check last found. */
export const TAMPERED_ORGS_READ_EVERY_MS = 1000;

/** The orgs of a stored value, or undefined for anything but a JSON array of texts (written by no release). */
function orgsOf(value: string): string[] | undefined {
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) && parsed.every((orgId) => typeof orgId === 'string') ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The findings of the self-check, for the API processes of a deployment split by roles (at scale,
 * each container one role) that run none: the process that checks writes each finding to `key` in
 * the deployment's Redis, beside its leases.
 */
export function publishTamperedOrgs(tampered: TamperedOrgs, redis: Pick<Redis, 'set'>, key: string, onError: (error: unknown) => void): void {
  tampered.onFound((orgIds) => void redis.set(key, JSON.stringify(orgIds)).catch(onError));
}

/**
 * In an API process that runs no check: reads the deployment's last finding every
 * TAMPERED_ORGS_READ_EVERY_MS, one read at a time (a Redis away holds a read until it answers);
 * what was read last stands meanwhile. Returns the stop.
 */
export function followTamperedOrgs(tampered: TamperedOrgs, redis: Pick<Redis, 'get'>, key: string, onError: (error: unknown) => void): () => void {
  let reading = false;
  const read = (): void => {
    if (reading) return;
    reading = true;
    redis
      .get(key)
      .then((value) => {
        const orgIds = value === null ? undefined : orgsOf(value);
        if (orgIds) tampered.found(orgIds);
      }, onError)
      .finally(() => (reading = false));
  };
  read();
  const timer = setInterval(read, TAMPERED_ORGS_READ_EVERY_MS);
  return () => clearInterval(timer);
}
