import type { TamperedOrgs } from '../application/tampered-orgs';
import type { TamperedOrgsShare } from './tampered-orgs-share.port';

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
 * The findings of the self-check, for the API processes of the deployment that run none (`ROLES=api`
 * beside the process that runs the roles, on one machine or at scale): the process that checks
 * leaves each finding in `share`, the deployment's Redis or the DATA_DIR they share.
 */
export function publishTamperedOrgs(tampered: TamperedOrgs, share: TamperedOrgsShare, onError: (error: unknown) => void): void {
  tampered.onFound((orgIds) => void share.write(JSON.stringify(orgIds)).catch(onError));
}

/**
 * In an API process that runs no check: reads the deployment's last finding every
 * TAMPERED_ORGS_READ_EVERY_MS, one read at a time (a Redis away holds a read until it answers);
 * what was read last stands meanwhile, and while nothing or nothing readable was left. Returns the stop.
 */
export function followTamperedOrgs(tampered: TamperedOrgs, share: TamperedOrgsShare, onError: (error: unknown) => void): () => void {
  let reading = false;
  const read = (): void => {
    if (reading) return;
    reading = true;
    share
      .read()
      .then((value) => {
        const orgIds = value === undefined ? undefined : orgsOf(value);
        if (orgIds) tampered.found(orgIds);
      }, onError)
      .finally(() => (reading = false));
  };
  read();
  const timer = setInterval(read, TAMPERED_ORGS_READ_EVERY_MS);
  return () => clearInterval(timer);
}
