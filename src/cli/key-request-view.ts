/** A key request as the server shows it to approvers (pending list item or GET .../key-requests/{id}). */
export interface KeyRequestView {
  requestId: string;
  agentId: string;
  status?: string;
  displayName?: string;
  email?: string;
  publicKey: string;
  fingerprint: string;
  verificationCode: string;
  requestedAt: string;
  failedAttempts?: number;
}
