/**
 * Stream names. Ids never contain "~" (see ID_PATTERN), so names cannot collide.
 * - org:     directory (agents, roles), policy and the first key: invariants spanning agents.
 * - agent:   one agent's key requests, decisions and keys.
 * - browser: one agent's prompt frequency and sensitive tasks in one browser.
 * - pubkey:  one public key of the org (by fingerprint): which agent it belongs to (R18).
 * - recovery: the org's break-glass recoveries (R20): one at a time.
 * - checkpoint: the org's signed checkpoints (R16), no leaves of its tree.
 */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;

export const orgStream = (orgId: string): string => `org-${orgId}`;
export const agentStream = (orgId: string, agentId: string): string => `agent-${orgId}~${agentId}`;
export const browserStream = (orgId: string, agentId: string, browserId: string): string =>
  `browser-${orgId}~${agentId}~${browserId}`;
export const publicKeyStream = (orgId: string, fingerprint: string): string => `pubkey-${orgId}~${fingerprint}`;
export const recoveryStream = (orgId: string): string => `recovery-${orgId}`;
export const checkpointStream = (orgId: string): string => `checkpoint-${orgId}`;

/** The org a stream of the log belongs to, as its name says (`<kind>-<orgId>`, then `~`-separated ids within the org). */
export const orgOfStream = (stream: string): string => stream.slice(stream.indexOf('-') + 1).split('~')[0];
