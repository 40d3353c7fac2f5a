import type { BrowserWindowDocument, KeyIntervalDocument, RoleChangeDocument } from '../../../projections/as-of.projection';
import type { Role } from '../../domain/shared/roles';
import type { ApprovalMode } from '../../domain/signature-key/key.events';

export interface OpenWindow {
  browserId: string;
  /** The signature in that browser that opened the remembered window. */
  signedAt: string;
  until: string;
}

/** One agent who could perform sensitive tasks at the instant asked about. */
export interface AgentAsOf {
  agentId: string;
  role: Role;
  key: { requestId: string; fingerprint: string; mode: ApprovalMode; activeSince: string };
  /** Browsers where a task needed no fresh signature at that instant (R11). */
  rememberedBrowsers: OpenWindow[];
}

export interface AsOfAnswer {
  at: string;
  agents: AgentAsOf[];
}

/** Newest by log position: the document that holds, of several about the same thing. */
const newer = <D extends { position: number }>(a: D | undefined, b: D): D => (a && a.position > b.position ? a : b);

/**
 * Who could act at `t`, from the as-of read model's documents AsOfQuery reads: keys ACTIVE at t,
 * role changes up to t, windows not replaced by t (the newest of a browser's holds: a window
 * signed earlier than the one it replaced is read beside it). Pure, and loaded by
 * module name: the embedded store runs it on the thread that reads (ReadModelStore.reduceJson).
 */
export function asOfAnswer(t: string, keys: KeyIntervalDocument[], roles: RoleChangeDocument[], windows: BrowserWindowDocument[]): AsOfAnswer {
  const roleOf = new Map<string, RoleChangeDocument>();
  for (const change of roles) roleOf.set(change.agentId, newer(roleOf.get(change.agentId), change));
  const lastWindow = new Map<string, BrowserWindowDocument>();
  for (const window of windows) {
    const browser = `${window.agentId}~${window.browserId}`;
    lastWindow.set(browser, newer(lastWindow.get(browser), window));
  }
  const open = new Map<string, BrowserWindowDocument[]>();
  for (const window of lastWindow.values()) {
    if (window.until > t) open.set(window.agentId, [...(open.get(window.agentId) ?? []), window]);
  }

  const agents: AgentAsOf[] = [];
  for (const key of keys) {
    const role = roleOf.get(key.agentId)?.role;
    if (!role) continue;
    agents.push({
      agentId: key.agentId,
      role,
      key: { requestId: key.requestId, fingerprint: key.fingerprint, mode: key.mode, activeSince: key.from },
      rememberedBrowsers: (open.get(key.agentId) ?? [])
        // R10: a window holds for the key that signed it only.
        .filter((window) => window.keyFingerprint === key.fingerprint)
        .map(({ browserId, from, until }) => ({ browserId, signedAt: from, until }))
        .sort((a, b) => (a.browserId < b.browserId ? -1 : 1)),
    });
  }
  agents.sort((a, b) => (a.agentId < b.agentId ? -1 : 1));
  return { at: t, agents };
}
