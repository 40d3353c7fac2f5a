/**
 * Who is signed in: the agent token, kept in this tab's sessionStorage only (never localStorage,
 * never a cookie), and the org and agent it names. Its claims are read without verifying it: the
 * server verifies every call; the console only needs to know which paths are its own.
 */
export interface Session {
  token: string;
  orgId: string;
  agentId: string;
}

const TOKEN = 'ztkeys.token';

export function claimsOf(token: string): Session | string {
  try {
    const payload = token.split('.')[1] ?? '';
    const claims = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { org?: unknown; sub?: unknown };
    if (typeof claims.org === 'string' && claims.org && typeof claims.sub === 'string' && claims.sub) return { token, orgId: claims.org, agentId: claims.sub };
  } catch {
    // falls through to the explanation below
  }
  return 'This is not an agent token: a JWT with claims "org" (organization id) and "sub" (agent id) is expected.';
}

export function currentSession(): Session | undefined {
  const token = sessionStorage.getItem(TOKEN);
  const claims = token ? claimsOf(token) : undefined;
  return typeof claims === 'object' ? claims : undefined;
}

export const keepSession = (session: Session): void => sessionStorage.setItem(TOKEN, session.token);
export const endSession = (): void => sessionStorage.removeItem(TOKEN);
