import { Inject, Injectable } from '@nestjs/common';
import {
  LONGEST_WINDOW_MS,
  type BrowserWindowDocument,
  type KeyIntervalDocument,
  type RoleChangeDocument,
} from '../../../projections/as-of.projection';
import type { Role } from '../../domain/shared/roles';
import type { ApprovalMode } from '../../domain/signature-key/key.events';
import { READ_MODEL_STORE, type ReadModelStore } from '../../read-models/read-model-store.port';
import { InvalidQuery } from './invalid-query';

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
 * Issue 15 item 4: who could perform sensitive tasks at an instant. Three range reads of the
 * as-of read model (projections/as-of.projection.ts), each bounded: keys that ended after T,
 * role changes up to T (a few per agent), and windows opened within the longest window before T.
 */
@Injectable()
export class AsOfQuery {
  constructor(@Inject(READ_MODEL_STORE) private readonly store: ReadModelStore) {}

  /** `admitted` runs once `at` is found valid, before anything is read: what the caller spends there (its org's budget), a refused query does not. */
  async whoCouldAct(orgId: string, at: Date, now: Date, admitted: () => Promise<void> = async () => undefined): Promise<AsOfAnswer> {
    if (at.getTime() > now.getTime()) throw new InvalidQuery('AT_IN_FUTURE', '`at` is later than now: the log only tells what held up to now.');
    await admitted();
    const t = at.toISOString();
    const org = { field: 'orgId', op: 'eq', value: orgId } as const;
    const [keys, roles, windows] = await Promise.all([
      // Both bounds go to the store, so that keys approved after T are not even read.
      this.store.find({ collection: 'key_intervals', conditions: [org, { field: 'until', op: 'gt', value: t }, { field: 'from', op: 'lte', value: t }], orderBy: 'until' }),
      this.store.find({ collection: 'role_changes', conditions: [org, { field: 'at', op: 'lte', value: t }], orderBy: 'at' }),
      this.store.find({
        collection: 'browser_windows',
        conditions: [org, { field: 'from', op: 'gt', value: new Date(at.getTime() - LONGEST_WINDOW_MS).toISOString() }, { field: 'from', op: 'lte', value: t }],
        orderBy: 'from',
      }),
    ]);

    const roleOf = new Map<string, RoleChangeDocument>();
    for (const change of roles as RoleChangeDocument[]) roleOf.set(change.agentId, newer(roleOf.get(change.agentId), change));
    const lastWindow = new Map<string, BrowserWindowDocument>();
    for (const window of windows as BrowserWindowDocument[]) {
      const browser = `${window.agentId}~${window.browserId}`;
      lastWindow.set(browser, newer(lastWindow.get(browser), window));
    }
    const open = new Map<string, BrowserWindowDocument[]>();
    for (const window of lastWindow.values()) {
      if (window.until > t) open.set(window.agentId, [...(open.get(window.agentId) ?? []), window]);
    }

    const agents: AgentAsOf[] = [];
    for (const key of keys as KeyIntervalDocument[]) {
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
}
