import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger, NotFoundException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { NotOfThisRelease } from '../domain/events/decode';
import { DomainRefusal, type RefusalKind } from '../domain/shared/refusal';
import { InvalidQuery } from '../application/queries/invalid-query';
import { AuditLogTampered } from '../application/tampered-orgs';
import { quoted } from '../shared/quoted';
import { isStorageFault } from '../shared/sqlite-write-faults';
import { STORE_RETRY_AFTER_SECONDS, StoreUnavailable } from '../shared/store-unavailable';
import { RateLimitExceeded } from '../rate-limits/rate-limits';
import { allowedMethods } from './allowed-methods';
import { notOneMediaType } from './json-body';
import { rateLimitAnswer } from './rate-limit-answer';
import { PROBLEM_CONTENT_TYPE, type Problem, problem } from './problem';

const STATUS: Record<RefusalKind, number> = {
  NOT_FOUND: 404,
  FORBIDDEN: 403,
  CONFLICT: 409,
  UNPROCESSABLE: 422,
  UNAUTHORIZED: 401,
  GONE: 410,
  PRECONDITION_FAILED: 412,
};

/** Errors thrown by lower layers that carry their own HTTP answer (e.g. invalid read queries). */
export class HttpProblem extends Error {
  constructor(
    readonly body: Problem,
    readonly headers: Record<string, string> = {},
  ) {
    super(body.detail);
  }
}

/** A rolling upgrade is done within minutes: the client tries again then, where a newer server may well answer. */
const NEWER_RELEASE_RETRY_AFTER_SECONDS = 30;

function isProblem(value: unknown): value is Problem {
  return typeof value === 'object' && value !== null && 'code' in value && 'status' in value && 'detail' in value;
}

/** Every error leaves as application/problem+json; anything unexpected is logged and is a bare 500. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const { body, headers } = this.noRoute(error, request, reply) ?? this.unreadMediaType(error, request) ?? this.toProblem(error);
    // With the request id, as the request's own line has it (README: Request ids). A write refused
    // for a tampered log is not: the check logged the fault once, naming where the log was altered.
    if (body.status >= 500 && !headers['retry-after'] && !(error instanceof AuditLogTampered)) this.logger.error({ err: error, req: { id: http.getRequest<FastifyRequest>().id } });
    void reply.status(body.status).headers({ ...headers, 'content-type': PROBLEM_CONTENT_TYPE }).send(body);
  }

  /**
   * A request no route took (Nest's not-found handler) whose path some route takes with other
   * methods: 405. A route that takes this very method and still found nothing (the console's
   * wildcard route, for a file it does not have) is a 404: its method is not what is wrong.
   * Either quotes the path cut (Nest's own text repeats all of it, up to 16 KiB).
   */
  private noRoute(error: unknown, request: FastifyRequest, reply: FastifyReply): { body: Problem; headers: Record<string, string> } | undefined {
    if (!(error instanceof NotFoundException)) return undefined;
    const path = request.url.split('?', 1)[0];
    const allowed = request.routeOptions.url === undefined ? allowedMethods(reply.server, path) : [];
    if (allowed.length === 0 || allowed.includes(request.method)) return { body: problem(404, 'NOT_FOUND', `Nothing answers ${request.method} ${quoted(path)}.`), headers: {} };
    return { body: problem(405, 'METHOD_NOT_ALLOWED', `${request.method} is not a method of ${quoted(path)}: it takes ${allowed.join(', ')}.`), headers: { allow: allowed.join(', ') } };
  }

  /**
   * Fastify refuses a Content-Type it cannot read as a media type before any parser runs, and Nest
   * passes its error on as a bare HttpException(415) holding the reason phrase, its code dropped.
   * No other 415 arrives so: the body parser's carry their own code and detail (json-body.ts).
   */
  private unreadMediaType(error: unknown, request: FastifyRequest): { body: Problem; headers: Record<string, string> } | undefined {
    const contentType = request.headers['content-type'];
    if (!(error instanceof HttpException) || error.getStatus() !== 415 || isProblem(error.getResponse()) || contentType === undefined) return undefined;
    return { body: problem(415, 'HTTP_415', notOneMediaType(contentType)), headers: {} };
  }

  private toProblem(error: unknown): { body: Problem; headers: Record<string, string> } {
    if (error instanceof HttpProblem) return { body: error.body, headers: error.headers };
    if (error instanceof DomainRefusal) {
      return { body: problem(STATUS[error.kind], error.code, error.message, error.details), headers: {} };
    }
    if (error instanceof RateLimitExceeded) return rateLimitAnswer(error);
    if (error instanceof InvalidQuery) return { body: problem(400, error.code, error.message), headers: {} };
    // No Retry-After: the fault does not go by itself; an operator restores the log, and the next check releases the org.
    if (error instanceof AuditLogTampered) return { body: problem(503, 'AUDIT_LOG_TAMPERED', error.message), headers: {} };
    // A newer release wrote to the stream read (a rolling upgrade under way): this one cannot fold it, so decides nothing on it.
    if (error instanceof NotOfThisRelease) {
      const detail = `This organization's log holds an event a newer ztkeys release wrote (${error.type} v${error.schemaVersion}), which this server cannot read: nothing was changed. Try again once the upgrade is finished (every ztkeys server on the newer release).`;
      return { body: problem(503, 'WRITTEN_BY_NEWER_RELEASE', detail), headers: { 'retry-after': String(NEWER_RELEASE_RETRY_AFTER_SECONDS) } };
    }
    if (error instanceof StoreUnavailable) {
      return { body: problem(503, 'STORE_UNAVAILABLE', `${error.message}. Try again shortly.`), headers: { 'retry-after': String(STORE_RETRY_AFTER_SECONDS) } };
    }
    if (error instanceof HttpException) {
      const response = error.getResponse();
      if (isProblem(response)) return { body: response, headers: {} };
      const status = error.getStatus();
      const detail = typeof response === 'string' ? response : ((response as { message?: unknown }).message ?? error.message);
      return { body: problem(status, status === 404 ? 'NOT_FOUND' : `HTTP_${status}`, Array.isArray(detail) ? detail.join('; ') : String(detail)), headers: {} };
    }
    // A storage fault no store adapter classified (disk full, I/O error) is still the volume's, not a bug.
    if (isStorageFault(error)) {
      return { body: problem(503, 'STORE_UNAVAILABLE', `A store is unavailable: ${(error as Error).message}. Try again shortly.`), headers: { 'retry-after': String(STORE_RETRY_AFTER_SECONDS) } };
    }
    // Fastify's own errors (body too large, malformed JSON, wrong content type) carry a 4xx statusCode.
    const fastify = error as { statusCode?: number; code?: string; message?: string };
    if (typeof fastify.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) {
      return { body: problem(fastify.statusCode, fastify.code ?? `HTTP_${fastify.statusCode}`, fastify.message ?? 'Bad request'), headers: {} };
    }
    return { body: problem(500, 'INTERNAL_ERROR', 'An unexpected error occurred; it has been logged.'), headers: {} };
  }
}
