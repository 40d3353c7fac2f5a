import type { Role } from './roles';

/** An agent's ACTIVE key as other aggregates need to know it. */
export interface ActiveKey {
  requestId: string;
  publicKey: string;
  fingerprint: string;
}

/** The caller of a command as the org directory and their key stream know them at decision time. */
export interface ActorContext {
  agentId: string;
  role: Role;
  activeKey?: ActiveKey;
}

/** The actor recorded for what the platform operator does with the bootstrap token. */
export const OPERATOR_ACTOR = 'operator';

/** The actor of what the org's policy does by itself when time passes: deadlines, recoveries (R13: every event names one). */
export const POLICY_ACTOR = 'policy';

/** The actor of a signed checkpoint: the log itself. */
export const LOG_ACTOR = 'log';

/** Agent ids no agent may take, so that an actor in the log is never ambiguous; compared ignoring case. */
export const RESERVED_AGENT_IDS: readonly string[] = [OPERATOR_ACTOR, POLICY_ACTOR, LOG_ACTOR, 'system'];

export const isReservedAgentId = (agentId: string): boolean => RESERVED_AGENT_IDS.includes(agentId.toLowerCase());
