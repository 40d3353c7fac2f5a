import type { components } from './api-types.generated';

type Request = components['schemas']['KeyRequestView'];

/** A key request as the server shows it to approvers: a pending list item (PendingKeyView) or GET .../key-requests/{id}. */
export type KeyRequestView = Pick<Request, 'requestId' | 'agentId' | 'publicKey' | 'fingerprint' | 'verificationCode' | 'requestedAt' | 'failedAttempts'> &
  Partial<Pick<Request, 'status' | 'displayName' | 'email'>>;
