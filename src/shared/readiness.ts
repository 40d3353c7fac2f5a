/** Something that decides readiness: each store and queue the process uses answers (the read models: and have caught up with the log). */
export interface ReadinessCheck {
  name: string;
  /** True when up; false, or a rejection whose message says why, when not. */
  ping(): Promise<boolean>;
}

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');
