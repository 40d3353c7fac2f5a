import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { DomainRefusal } from '../domain/shared/refusal';
import { bearerToken, sameSecret } from '../shared/bearer-token';
import { ACCESS, type Access } from './access.decorators';
import type { Caller } from './caller';
import { TokenVerifier } from './token-verifier';
import { unauthenticated } from './unauthenticated';
import { quoted } from '../shared/quoted';

export const BOOTSTRAP_TOKEN = Symbol('BOOTSTRAP_TOKEN');

export type AuthenticatedRequest = FastifyRequest & { caller?: Caller };

/**
 * Authenticates every route unless marked @Public(). The org of the path is checked against the
 * token's after the path's parameters are (OrgScopeGuard, R14).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  /** Each route's access, read from its metadata once: it does not change after startup. */
  private readonly accessOf = new Map<Function, Access>();

  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenVerifier,
    @Inject(BOOTSTRAP_TOKEN) private readonly bootstrapToken: string,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Synchronous unless the token needs the JWKS: Nest awaits a promise of a guard, which every request would pay. */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const handler = context.getHandler();
    let access = this.accessOf.get(handler);
    if (access === undefined) {
      access = this.reflector.getAllAndOverride<Access>(ACCESS, [handler, context.getClass()]) ?? 'agent';
      this.accessOf.set(handler, access);
    }
    if (access === 'public' || (access === 'metrics' && !this.config.metricsToken)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = bearerToken(request.headers.authorization);
    if (!token) throw unauthenticated('An Authorization: Bearer token is required.');
    if (access === 'metrics') {
      if (!sameSecret(token, this.config.metricsToken!)) throw unauthenticated('/metrics needs the METRICS_TOKEN of this deployment.');
      return true;
    }
    if (access === 'operator') {
      if (!sameSecret(token, this.bootstrapToken)) throw unauthenticated('This call needs the operator bootstrap token.');
      return true;
    }
    if (access === 'agent-or-operator' && sameSecret(token, this.bootstrapToken)) return true;
    const caller = this.tokens.verify(token);
    return caller instanceof Promise ? caller.then((verified) => admit(request, verified)) : admit(request, caller);
  }
}

/** Lets the verified caller in. */
function admit(request: AuthenticatedRequest, caller: Caller | undefined): true {
  if (!caller) throw unauthenticated('The token is invalid or expired.');
  request.caller = caller;
  return true;
}

/**
 * R14: a token of another org than the path's gets 404, as if the org did not exist. After the
 * authentication and the path's parameters: an org id of no org's form is a 400 (PathParametersGuard).
 * The operator's bootstrap token, which spans every org, names no caller.
 */
@Injectable()
export class OrgScopeGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const orgId = (request.params as Record<string, string> | undefined)?.orgId;
    if (request.caller && orgId !== undefined && orgId !== request.caller.orgId) {
      throw new DomainRefusal('NOT_FOUND', 'ORG_NOT_FOUND', `Organization ${quoted(orgId)} does not exist.`);
    }
    return true;
  }
}
