import type { CommandSpec } from '../command-spec';
import { agentsAddCommand, agentsRemoveCommand, agentsRoleCommand } from './agents.command';
import { auditAsOfCommand } from './audit-as-of.command';
import { auditExportCommand } from './audit-export.command';
import { auditProveCommand } from './audit-prove.command';
import { auditVerifyCommand } from './audit-verify.command';
import { browserLogoutCommand } from './logout.command';
import { keysCreateCommand } from './keys-create.command';
import { keysApproveCommand, keysRejectCommand } from './keys-decision.command';
import { keysPendingCommand } from './keys-pending.command';
import { keysRestoreCommand } from './keys-restore.command';
import { keysRevokeCommand } from './keys-revoke.command';
import { loginCommand } from './login.command';
import { orgCreateCommand } from './org-create.command';
import { policySetCommand, policyShowCommand } from './policy.command';
import { profileListCommand, profileUseCommand, whoamiCommand } from './profile.command';
import { promptFrequencySetCommand } from './prompt-frequency-set.command';
import { recoveryShowCommand, recoveryStartCommand, recoveryVetoCommand } from './recovery.command';
import { statusCommand } from './status.command';
import { taskAuthorizeCommand } from './task-authorize.command';

/** Every command of ztkeys, in the order help lists them (the order of the journey). */
export const ALL_COMMANDS: readonly CommandSpec[] = [
  orgCreateCommand,
  loginCommand,
  whoamiCommand,
  profileListCommand,
  profileUseCommand,
  agentsAddCommand,
  agentsRoleCommand,
  agentsRemoveCommand,
  policyShowCommand,
  policySetCommand,
  keysCreateCommand,
  keysPendingCommand,
  keysApproveCommand,
  keysRejectCommand,
  keysRevokeCommand,
  keysRestoreCommand,
  promptFrequencySetCommand,
  browserLogoutCommand,
  taskAuthorizeCommand,
  statusCommand,
  auditExportCommand,
  auditAsOfCommand,
  auditVerifyCommand,
  auditProveCommand,
  recoveryStartCommand,
  recoveryShowCommand,
  recoveryVetoCommand,
];
