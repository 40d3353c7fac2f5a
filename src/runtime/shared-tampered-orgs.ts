import type { TamperedOrgs } from '../application/tampered-orgs';
import type { OrgsFinding, UnreadCheckpoint } from '../transparency/orgs-finding';
import type { TamperedOrgsShare } from './tampered-orgs-share.port';

/** How often an API process that runs no check reads what the deployment's check last found. */
export const TAMPERED_ORGS_READ_EVERY_MS = 1000;

const isTexts = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === 'string');

const isUnreadCheckpoint = (value: unknown): value is UnreadCheckpoint => {
  const { orgId, type, schemaVersion } = (value ?? {}) as Partial<UnreadCheckpoint>;
  return typeof orgId === 'string' && typeof type === 'string' && Number.isSafeInteger(schemaVersion);
};

/**
 * The finding of a stored value: a JSON array of texts is the tampered orgs alone (as a release
 * before the unread checkpoints left it); undefined for anything no release writes.
 */
function findingOf(value: string): OrgsFinding | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (isTexts(parsed)) return { tampered: parsed, unreadCheckpoints: [] };
  const { tampered, unreadCheckpoints } = (parsed ?? {}) as Partial<Record<keyof OrgsFinding, unknown>>;
  if (!isTexts(tampered) || !Array.isArray(unreadCheckpoints) || !unreadCheckpoints.every(isUnreadCheckpoint)) return undefined;
  return { tampered, unreadCheckpoints };
}

/**
 * The findings of the self-check, for the API processes of the deployment that run none (`ROLES=api`
 * beside the process that runs the roles, on one machine or at scale): the process that checks
 * leaves each finding in `share`, the deployment's Redis or the DATA_DIR they share.
 */
export function publishTamperedOrgs(tampered: TamperedOrgs, share: TamperedOrgsShare, onError: (error: unknown) => void): void {
  tampered.onFound((finding) => void share.write(JSON.stringify(finding)).catch(onError));
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
        const finding = value === undefined ? undefined : findingOf(value);
        if (finding) tampered.found(finding);
      }, onError)
      .finally(() => (reading = false));
  };
  read();
  const timer = setInterval(read, TAMPERED_ORGS_READ_EVERY_MS);
  return () => clearInterval(timer);
}
