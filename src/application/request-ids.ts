import { agentStream } from '../domain/streams';
import { newId } from '../shared/ids';

/** A UUIDv7, or the v5 an Idempotency-Key names (idempotency.ts). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[57][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * A key request's id names the stream it lives in: a UUIDv7, a dot, and the requester's agentId
 * in base64url. Approve, reject and read then go straight to that agent's stream, with no lookup
 * through a read model that could lag.
 */
export const newRequestId = (agentId: string): string => requestIdOf(newId(), agentId);

export const requestIdOf = (uuid: string, agentId: string): string => `${uuid}.${Buffer.from(agentId, 'utf8').toString('base64url')}`;

/** The requester of a request id, or undefined when the id is not one of ours. */
export function requesterOf(requestId: string): string | undefined {
  if (typeof requestId !== 'string' || requestId.length > 256) return undefined;
  const dot = requestId.indexOf('.');
  if (dot !== 36 || !UUID.test(requestId.slice(0, dot))) return undefined;
  const encoded = requestId.slice(dot + 1);
  const agentId = Buffer.from(encoded, 'base64url').toString('utf8');
  return agentId.length > 0 && Buffer.from(agentId, 'utf8').toString('base64url') === encoded ? agentId : undefined;
}

export const requestStream = (orgId: string, requestId: string): string | undefined => {
  const agentId = requesterOf(requestId);
  return agentId === undefined ? undefined : agentStream(orgId, agentId);
};
