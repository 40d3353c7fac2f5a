import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { quoted } from '../shared/quoted';
import { PROBLEM_CONTENT_TYPE, problem } from './problem';

/** A request id carries its requester's id (up to 128 characters) in base64url: up to 208 characters. */
export const MAX_PATH_PARAMETER_LENGTH = 512;

/** The code of a path parameter the router refuses as too long (414). */
export const PATH_PARAMETER_TOO_LONG = 'PATH_PARAMETER_TOO_LONG';

/**
 * The router's refusals under ztkeys' own codes: Fastify's (`FST_ERR_BAD_URL`) would name the
 * framework to anyone, without a token, and its texts quote the whole URL, up to the 16 KiB of a
 * request line: ours quote it cut.
 */
const REFUSALS: Record<string, { code: string; detail: (url: string) => string }> = {
  // A target the rewrite to origin form left as it was (`ftp://host/...`) is no path at all: the router refuses it so too.
  FST_ERR_BAD_URL: {
    code: 'REQUEST_TARGET_MALFORMED',
    detail: (url) =>
      url.startsWith('/')
        ? `The path ${quoted(url)} holds a percent-escape that is malformed or not UTF-8.`
        : `The request target ${quoted(url)} is neither a path (/...) nor an http or https URL: send the path, as in GET /health/live HTTP/1.1.`,
  },
  FST_ERR_MAX_PARAM_LENGTH: {
    code: PATH_PARAMETER_TOO_LONG,
    detail: (url) => `A parameter of the path ${quoted(url)} is longer than ${MAX_PATH_PARAMETER_LENGTH} characters.`,
  },
};

/** URLs Fastify's router refuses before Nest sees them (malformed, or a parameter too long), answered as problems too. */
export function answerRouterRefusal(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const status = error.statusCode ?? 400;
  const refusal = REFUSALS[error.code];
  const body = refusal ? problem(status, refusal.code, refusal.detail(request.url)) : problem(status, `HTTP_${status}`, `The path ${quoted(request.url)} cannot be routed.`);
  void reply.status(status).header('content-type', PROBLEM_CONTENT_TYPE).send(body);
}
