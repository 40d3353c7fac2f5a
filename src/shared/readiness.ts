/** Something that decides readiness: each store and queue the process uses answers (the read models: and have caught up with the log). */
export interface ReadinessCheck {
  name: string;
  /** True when up; false, or a rejection whose message says why, when not. */
  ping(): Promise<boolean>;
}

/** A check's outcome: up, or down and why. */
export interface CheckOutcome {
  name: string;
  fault?: string;
}

/** What /health/ready answers from: the outcome of every check of this process, or (WORKERS > 1) of every worker's. */
export interface ReadinessProbe {
  probe(): Promise<CheckOutcome[]>;
}

export const READINESS_PROBE = Symbol('READINESS_PROBE');
