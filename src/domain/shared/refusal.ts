/**
 * Why a command was refused without writing anything. The HTTP layer maps each kind to a status:
 * NOT_FOUND 404, FORBIDDEN 403, CONFLICT 409, UNPROCESSABLE 422, UNAUTHORIZED 401, GONE 410,
 * PRECONDITION_FAILED 412 (a change based on a version the caller named, If-Match, that is no longer current).
 */
export type RefusalKind = 'NOT_FOUND' | 'FORBIDDEN' | 'CONFLICT' | 'UNPROCESSABLE' | 'UNAUTHORIZED' | 'GONE' | 'PRECONDITION_FAILED';

export class DomainRefusal extends Error {
  constructor(
    readonly kind: RefusalKind,
    /** Stable machine-readable code, e.g. FIRST_KEY_REQUIRES_ADMIN. */
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainRefusal';
  }

  /** The same refusal with more details, e.g. the log position where a recorded refusal was written. */
  with(details: Record<string, unknown>): DomainRefusal {
    return new DomainRefusal(this.kind, this.code, this.message, { ...this.details, ...details });
  }
}

export const refuse = (kind: RefusalKind, code: string, message: string, details?: Record<string, unknown>): never => {
  throw new DomainRefusal(kind, code, message, details);
};
