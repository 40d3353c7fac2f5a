/** One public key of an org: who claimed it, if anyone. */
export interface PublicKeyState {
  claimedBy?: { agentId: string; requestId: string };
}

export const initialPublicKeyState: PublicKeyState = {};
