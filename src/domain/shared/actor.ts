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
