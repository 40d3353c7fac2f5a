/**
 * A 401 about the token: UNAUTHENTICATED, or no code at all (a proxy's answer). The other 401s of
 * API v1 (a sensitive task's PROMPT_REQUIRED, INVALID_SIGNATURE, NO_ACTIVE_KEY) refuse a token
 * that was accepted, so signing in again would not help. The CLI's and the console's reading.
 */
export const tokenRefused = (status: number, problem: { code?: unknown; promptRequired?: unknown }): boolean =>
  status === 401 && problem.promptRequired !== true && (problem.code === undefined || problem.code === 'UNAUTHENTICATED');
