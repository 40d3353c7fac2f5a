import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { quoted } from '../shared/quoted';
import { PROBLEM_CONTENT_TYPE, problem } from './problem';

/** A request id carries its requester's id (up to 128 characters) in base64url: up to 208 characters. */
export const MAX_PATH_PARAMETER_LENGTH = 512;

/** Fastify's own texts for these quote the whole URL, up to the 16 KiB of a request line: ours quote it cut. */
const DETAILS: Record<string, (url: string) => string> = {
  // A target the rewrite to origin form left as it was (`ftp://host/...`) is no path at all: the router refuses it so too.
  FST_ERR_BAD_URL: (url) =>
    url.startsWith('/')
      ? `The path ${quoted(url)} holds a percent-escape that is malformed or not UTF-8.`
      : `The request target ${quoted(url)} is neither a path (/...) nor an http or https URL: send the path, as in GET /health/live HTTP/1.1.`,
  FST_ERR_MAX_PARAM_LENGTH: (url) => `A parameter of the path ${quoted(url)} is longer than ${MAX_PATH_PARAMETER_LENGTH} characters.`,
};

/** URLs Fastify's router refuses before Nest sees them (malformed, or a parameter too long), answered as problems too. */
export function answerRouterRefusal(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const status = error.statusCode ?? 400;
  const detail = DETAILS[error.code]?.(request.url) ?? error.message;
  void reply.status(status).header('content-type', PROBLEM_CONTENT_TYPE).send(problem(status, error.code, detail));
}
