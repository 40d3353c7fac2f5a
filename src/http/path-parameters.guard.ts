import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { declaredPathParameters, pathParameterProblems } from './path-parameter';
import { HttpProblem } from './problem.filter';
import { invalidInput } from './validation';

/**
 * Each path parameter against the schema the OpenAPI document gives it (@PathParam): one outside
 * it is a 400 INVALID_INPUT naming it, as a body field outside its schema is, never a 404 (after
 * authentication, before the org of the path is looked at: a malformed org id is nobody's org).
 */
@Injectable()
export class PathParametersGuard implements CanActivate {
  private readonly declared = new WeakMap<object, ReturnType<typeof declaredPathParameters>>();

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const handler = context.getHandler();
    let declared = this.declared.get(handler);
    if (!declared) {
      declared = declaredPathParameters(context);
      this.declared.set(handler, declared);
    }
    if (declared.length === 0) return true;
    const params = (context.switchToHttp().getRequest<FastifyRequest>().params ?? {}) as Record<string, string | undefined>;
    const problems = pathParameterProblems(declared, params);
    if (problems.length > 0) throw new HttpProblem(invalidInput(problems));
    return true;
  }
}
