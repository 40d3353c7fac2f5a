import type { KeyRequestView } from '../../src/cli/key-request-view';
import type { Api } from './api';
import { loadKeys, saveKeys, type AgentKeys, type BrowserKey } from './key-store';
import { forgetFrequency } from './prompt-frequency-memo';
import { Refusal } from './refusal';

/**
 * This browser's keys after the server's word on the pending one: approved, it becomes the key to
 * sign with (a key change resets this browser's prompt frequency, R10); ended, it is deleted.
 */
export async function settledKeys(api: Api): Promise<{ keys: AgentKeys; ended?: KeyRequestView }> {
  const { orgId, agentId } = api.session;
  const keys = await loadKeys(orgId, agentId);
  if (!keys.pending?.requestId) return { keys };
  const request = await api.get<KeyRequestView>(api.orgPath('key-requests', keys.pending.requestId));
  if (request.status === 'PENDING') return { keys };
  const settled: AgentKeys = request.status === 'APPROVED' ? { active: keys.pending } : { active: keys.active };
  if (request.status === 'APPROVED') forgetFrequency(api.session);
  await saveKeys(orgId, agentId, settled);
  return { keys: settled, ended: request.status === 'APPROVED' ? undefined : request };
}

/** The ACTIVE key of this agent in this browser, to sign with. */
export async function activeKey(api: Api): Promise<BrowserKey> {
  const { keys } = await settledKeys(api);
  if (keys.active) return keys.active;
  throw new Refusal(
    keys.pending
      ? 'Your key is waiting for approval: there is no active key in this browser to sign with yet.'
      : 'This browser holds no signature key of yours: create one under "My key" first.',
  );
}
