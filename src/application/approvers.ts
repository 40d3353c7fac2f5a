import type { OrganizationState } from '../domain/organization/organization.state';
import { activeKeyOf, type KeyState } from '../domain/signature-key/key.state';

/**
 * R6, R8: the org's ADMINs and SUPER_ADMINs other than `except` who hold an ACTIVE key, as
 * `keysOf` reads their key streams (now for decisions, at an event's position for emails).
 * Lazy, so whoever needs only the first stops reading there.
 */
export async function* approversWithActiveKey(
  org: OrganizationState,
  except: string,
  keysOf: (agentId: string) => Promise<KeyState>,
): AsyncGenerator<string> {
  for (const agentId of org.approvers) {
    if (agentId !== except && activeKeyOf(await keysOf(agentId))) yield agentId;
  }
}
