import { applyDecorators, type Type } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { RESERVED_AGENT_IDS } from '../domain/shared/actor';
import { CHALLENGE_PURPOSES } from '../domain/shared/challenge-purposes';
import { idField } from './dto/fields';
import { PathParam } from './path-parameter';
import { PROBLEM_CONTENT_TYPE, problem } from './problem';
import { Problem, RateLimitedProblem } from './views/problem.view';

/** Every 503 says when to retry: a store away, a read model behind, readiness, or a server stopping. */
const RETRY_AFTER_503 = { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer', minimum: 1 } } };

/** An error answer: application/problem+json, with an example built by the very function that answers it. */
export const ProblemResponse = (status: number, description: string, code: string, schema: Type = Problem, extensions: Record<string, unknown> = {}) =>
  ApiResponse({
    status,
    description,
    ...(status === 503 ? { headers: RETRY_AFTER_503 } : {}),
    content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(schema) }, example: problem(status, code, description, extensions) } },
  });

/** The 503 of a public operation: it reads no store, but a server stopping refuses it too (refuse-while-stopping.ts). */
export const ServerStoppingResponse = () => ProblemResponse(503, 'This server is stopping: nothing was done; retry shortly (Retry-After)', 'SHUTTING_DOWN');

const RATE_LIMITED_DETAIL = 'Too many requests from this address, agent or org, or too many exports of the agent or of the org under way (`limit`: concurrent_exports_per_agent, concurrent_exports_per_org; README, Security); retry after Retry-After seconds';

/** The 429 of every API v1 operation: each counts against its client address, some against its agent and org too. */
export const RateLimitedResponse = () =>
  ApiResponse({
    status: 429,
    description: RATE_LIMITED_DETAIL,
    headers: {
      'Retry-After': { description: 'Seconds until the limit frees a request', schema: { type: 'integer', minimum: 1 } },
      'RateLimit-Limit': { description: 'Requests allowed per window by the limit that refused', schema: { type: 'integer' } },
      'RateLimit-Remaining': { description: 'Requests left in the window: 0', schema: { type: 'integer' } },
      'RateLimit-Reset': { description: 'Seconds until the window frees a request', schema: { type: 'integer' } },
    },
    content: {
      [PROBLEM_CONTENT_TYPE]: {
        schema: { $ref: getSchemaPath(RateLimitedProblem) },
        example: problem(429, 'RATE_LIMITED', 'Too many requests (challenges per agent: 30 allowed per window); retry in 12 s.', { limit: 'challenges_per_agent', retryAfter: 12 }),
      },
    },
  });

const COMMON_ERRORS: ErrorAnswer[] = [
  [400, 'Invalid input', 'INVALID_INPUT'],
  [401, 'Missing, invalid or expired token, or one that is not an access token of this API (its typ, JWT_TYPES)', 'UNAUTHENTICATED'],
  [403, 'The caller is not a member or lacks the role', 'NOT_ALLOWED'],
  [404, 'Not found (including any resource of another organization)', 'NOT_FOUND'],
  [503, "A store, or the identity provider's key set (JWKS_URL), does not answer, or this server is stopping (SHUTTING_DOWN); retry shortly (Retry-After)", 'STORE_UNAVAILABLE'],
];

/** An extra error answer of one operation: status, description, example code, and its schema and example members when it extends Problem. */
export type ErrorAnswer = [number, string, string, Type?, Record<string, unknown>?];

/** The 422 of an operation that names a new agent: some ids name the system's own actors in the audit log. */
export const AGENT_ID_RESERVED: ErrorAnswer = [422, `The agent id is reserved (${RESERVED_AGENT_IDS.join(', ')}, in any case)`, 'AGENT_ID_RESERVED'];

/** The 400 of an operation that takes an Idempotency-Key (IdempotencyKeyHeader): its input, or the key. */
export const INVALID_INPUT_OR_KEY: ErrorAnswer = [400, 'Invalid input, or a malformed Idempotency-Key (INVALID_IDEMPOTENCY_KEY)', 'INVALID_INPUT'];

/** The answers of an operation: its own extra ones, and the common ones of a status it does not answer itself. */
const errorAnswers = (common: readonly ErrorAnswer[], extra: readonly ErrorAnswer[]) =>
  [...common.filter(([status]) => !extra.some(([other]) => other === status)), ...extra].map(([status, description, code, schema, extensions]) =>
    ProblemResponse(status, description, code, schema, extensions),
  );

/**
 * An operation of an agent (JWT bearer): its id, summary, success body and every error answer.
 * `extra` replaces a common answer of the same status (a 401 with its own schema, say).
 */
export const AgentEndpoint = (operationId: string, summary: string, success: SuccessAnswer, ...extra: ErrorAnswer[]) =>
  applyDecorators(
    ApiOperation({ operationId, summary, description: summary }),
    ApiBearerAuth('agent'),
    success,
    ...errorAnswers(COMMON_ERRORS, extra),
    RateLimitedResponse(),
  );

const OPERATOR_ERRORS: ErrorAnswer[] = [
  [400, 'Invalid input', 'INVALID_INPUT'],
  [401, 'Missing or wrong bootstrap token', 'UNAUTHENTICATED'],
  [503, 'A store does not answer, or this server is stopping (SHUTTING_DOWN); retry shortly (Retry-After)', 'STORE_UNAVAILABLE'],
];

/** The operator's operation (opaque bootstrap token). `extra` replaces a common answer of the same status, as for AgentEndpoint. */
export const OperatorEndpoint = (operationId: string, summary: string, success: SuccessAnswer, ...extra: ErrorAnswer[]) =>
  applyDecorators(ApiOperation({ operationId, summary, description: summary }), ApiBearerAuth('operator'), success, ...errorAnswers(OPERATOR_ERRORS, extra), RateLimitedResponse());

/**
 * An operation that appends to its org's log: its 503 also names AUDIT_LOG_TAMPERED and WRITTEN_BY_NEWER_RELEASE. Placed above
 * the operation's AgentEndpoint or OperatorEndpoint (decorators apply from the bottom up): Nest's
 * swagger appends this description to theirs, and keeps their headers and example.
 */
export const WritesOrgLog = () =>
  ApiResponse({
    status: 503,
    description:
      "Or the org's stored audit log fails the server's own check against its signed checkpoints (AUDIT_LOG_TAMPERED, no Retry-After: it does not go by itself): nothing is written for the org until an operator restores the log and a later check finds it whole; its reads still answer. " +
      'Or the stream the operation decides on holds an event a newer ztkeys release wrote, which this server cannot read (WRITTEN_BY_NEWER_RELEASE, with Retry-After: a rolling upgrade under way): nothing is written; a server of the newer release takes it',
  });

/** An operation open to an agent's token and to the operator's bootstrap token. */
export const AgentOrOperatorEndpoint = (operationId: string, summary: string, success: SuccessAnswer, ...extra: ErrorAnswer[]) =>
  applyDecorators(AgentEndpoint(operationId, summary, success, ...extra), ApiBearerAuth('operator'));

type SuccessAnswer = MethodDecorator & ClassDecorator;

/** A 2xx JSON answer of this body type, with the headers it declares. */
export const Answers = (status: 200 | 201, type: Type, description = 'Done', headers?: Record<string, { description: string; schema: object }>) =>
  ApiResponse({ status, description, type, ...(headers && { headers }) });

/** Every /v1/orgs/{orgId} controller declares its org, a path parameter of each of its operations. */
export const OrgScoped = () => PathParam('orgId', idField('The organization (the one of your token)', 'acme'));
export const AgentParam = () => PathParam('agentId', idField('The agent', 'alice'));
export const BrowserParam = () => PathParam('browserId', idField('The browser', 'laptop-firefox'));
/** A key request's and a recovery's ids, as the challenge bodies that name them take them. */
export const RequestParam = () =>
  PathParam('requestId', CHALLENGE_PURPOSES.KEY_DECISION.asks.requestId.meta({ description: 'The key request (requestId from POST key-requests)', example: 'alice.kr_01J9Z3' }));
export const RecoveryParam = () =>
  PathParam('recoveryId', CHALLENGE_PURPOSES.RECOVERY_VETO.asks.recoveryId.meta({ description: 'The recovery (recoveryId from POST recoveries)', example: 'rc_01J9Z3' }));

/** Read your writes (optional): a position from a command response the read model must have applied first. */
export const MinPositionHeader = () =>
  ApiHeader({
    name: 'X-Min-Position',
    required: false,
    description: 'Wait (bounded) until the read model has applied this position from a command response; 503 + Retry-After if it has not. A position past the end of the log, which no command answered, is a 400 INVALID_MIN_POSITION at once',
    schema: { type: 'string', pattern: '^\\d{1,20}$' },
    example: '42',
  });

/** The scrapers' endpoint: open unless METRICS_TOKEN is set. */
export const MetricsEndpoint = () =>
  applyDecorators(ApiBearerAuth('metrics'), ProblemResponse(401, 'METRICS_TOKEN is set and the token is missing or wrong', 'UNAUTHENTICATED'));
