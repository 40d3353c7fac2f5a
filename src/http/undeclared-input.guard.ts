import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import type { FastifyRequest } from 'fastify';
import { HttpProblem } from './problem.filter';
import { type FieldProblems, invalidInput } from './validation';

/** Whether a handler reads a body (@ValidBody) and a query string (@ValidQuery), from its parameters. */
interface Declared {
  body: boolean;
  query: boolean;
}

/** True for no body at all, or an empty object: what a client that always sends JSON sends for "nothing". */
const empty = (body: unknown): boolean =>
  body === undefined || (typeof body === 'object' && body !== null && !Array.isArray(body) && Object.keys(body).length === 0);

/**
 * The API's rule for input nobody declared (README, Security: unknown fields), on the routes
 * that declare no body or no query at all: a body other than none or `{}` on a route that takes
 * none (logout, removing an agent), and any query parameter on a route that reads none
 * (`POST /v1/orgs?dryRun=true` would otherwise create the org), are a 400 INVALID_INPUT before
 * the handler runs. Routes that declare them are checked by their own zod schema. A guard
 * (after authentication, as the app's guards are registered) rather than an interceptor: it wraps
 * no request in observables.
 */
@Injectable()
export class UndeclaredInputGuard implements CanActivate {
  private readonly declared = new WeakMap<object, Declared>();

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (!request.url.startsWith('/v1/')) return true;
    const declared = this.declaredBy(context);
    const problems: FieldProblems[] = [];
    if (!declared.body && !empty(request.body)) problems.push({ field: 'body', problems: ['this route takes no body: send none, or {}'] });
    if (!declared.query) {
      for (const name of Object.keys((request.query ?? {}) as object)) problems.push({ field: name, problems: [`property ${name} should not exist`] });
    }
    if (problems.length > 0) throw new HttpProblem(invalidInput(problems));
    return true;
  }

  private declaredBy(context: ExecutionContext): Declared {
    const handler = context.getHandler();
    let declared = this.declared.get(handler);
    if (!declared) {
      const keys = Object.keys(Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), handler.name) ?? {});
      declared = { body: keys.some((key) => key.startsWith(`${RouteParamtypes.BODY}:`)), query: keys.some((key) => key.startsWith(`${RouteParamtypes.QUERY}:`)) };
      this.declared.set(handler, declared);
    }
    return declared;
  }
}
