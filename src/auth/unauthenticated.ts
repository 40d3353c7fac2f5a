import { DomainRefusal } from '../domain/shared/refusal';

/** The 401 of a request whose token is missing or refused, saying why: clients sign in again on its code. */
export const unauthenticated = (detail: string): DomainRefusal => new DomainRefusal('UNAUTHORIZED', 'UNAUTHENTICATED', detail);
