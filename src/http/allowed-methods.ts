import type { FastifyInstance } from 'fastify';
import { METHODS } from '../shared/http-methods';

/**
 * The methods some route takes at this path (the URL without its query), for a request no route took: a 405 with them in
 * `Allow` (RFC 9110) tells the client its method is wrong, where a 404 would say the resource is.
 * Routes are public (the OpenAPI document lists them), and an unknown org matches the same
 * route as a known one, so this tells nothing a tenant may not know (R14).
 */
export function allowedMethods(fastify: FastifyInstance, path: string): string[] {
  return METHODS.filter((method) => fastify.findRoute({ method, url: path }) !== null);
}
