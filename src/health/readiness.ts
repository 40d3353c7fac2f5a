/** Something whose reachability decides readiness: each store and queue the process uses. */
export interface ReadinessCheck {
  name: string;
  ping(): Promise<boolean>;
}

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');
