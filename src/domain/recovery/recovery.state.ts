import { NO_USED_NONCES, type UsedNonces } from '../shared/used-nonces';
import type { RecoveryLapseReason } from './recovery.events';

export type RecoveryStatus = 'RUNNING' | 'VETOED' | 'COMPLETED' | 'LAPSED';

export interface RecoveryEntry {
  recoveryId: string;
  agentId: string;
  status: RecoveryStatus;
  startedAt: string;
  effectiveAt: string;
  remindAt: string;
  delayHours: number;
  withWorkingApprover: boolean;
  reminded: boolean;
  vetoedBy?: string;
  /** The key request granted with mode RECOVERY, once completed. */
  requestId?: string;
  /** Why it lapsed, once LAPSED. */
  lapseReason?: RecoveryLapseReason;
}

/** One org's recoveries: few (each waits days), so a plain map copied per event is cheap. */
export interface RecoveryState {
  recoveries: ReadonlyMap<string, RecoveryEntry>;
  /** The latest recovery, running or not. */
  latestId?: string;
  /** Nonces of the RECOVERY_VETO challenges used here (R15). */
  usedNonces: UsedNonces;
}

export const initialRecoveryState: RecoveryState = { recoveries: new Map(), usedNonces: NO_USED_NONCES };

export const latestRecovery = (state: RecoveryState): RecoveryEntry | undefined =>
  state.latestId === undefined ? undefined : state.recoveries.get(state.latestId);

export const runningRecovery = (state: RecoveryState): RecoveryEntry | undefined => {
  const latest = latestRecovery(state);
  return latest?.status === 'RUNNING' ? latest : undefined;
};
