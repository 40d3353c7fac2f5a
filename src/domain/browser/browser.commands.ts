import type { ActiveKey } from '../shared/actor';
import type { Role } from '../shared/roles';
import type { SignedProof } from '../shared/signed-proof';
import type { PromptFrequency } from './browser.events';

/** Commands on one (agent, browser) stream; the agent's role and ACTIVE key come in with the command. */
export type SetPromptFrequency = {
  type: 'SetPromptFrequency';
  orgId: string;
  agentId: string;
  browserId: string;
  role: Role;
  frequency: PromptFrequency;
  proof: SignedProof;
  activeKey?: ActiveKey;
  now: string;
  /** The id the change is recorded with (changeId), when its request named it: see BrowserState.named. */
  changeId?: string;
};
export type LogOutOfBrowser = { type: 'LogOutOfBrowser'; orgId: string; agentId: string; browserId: string; role: Role; now: string };
export type AuthorizeSensitiveTask = {
  type: 'AuthorizeSensitiveTask';
  orgId: string;
  agentId: string;
  browserId: string;
  role: Role;
  task: string;
  /** Absent when the caller hopes to be inside the remembered window. */
  proof?: SignedProof;
  activeKey?: ActiveKey;
  now: string;
  /** The id the authorization is recorded with (authorizationId), when its request named it: see BrowserState.named. */
  authorizationId?: string;
};

export type BrowserCommand = SetPromptFrequency | LogOutOfBrowser | AuthorizeSensitiveTask;
