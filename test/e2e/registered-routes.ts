import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ModulesContainer } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ACCESS, type Access } from '../../src/auth/access.decorators';
import { ZodQueryPipe } from '../../src/http/zod-query.pipe';

/** A route as the running app's controllers define it, e.g. POST /v1/orgs/:orgId/agents. */
export interface Route {
  method: string;
  /** Express-style path with :params. */
  path: string;
  access: Access;
  /** Whether the handler reads a request body (@Body). */
  hasBody: boolean;
  /** How many of the handler's query parameters (@Query) are read, and how many of those validated by their zod shape (@ValidQuery). */
  queries: { read: number; validated: number };
}

interface RouteArg {
  pipes?: unknown[];
}

const joined = (...parts: string[]): string => `/${parts.flatMap((part) => part.split('/')).filter(Boolean).join('/')}`;

/**
 * Every route of every controller of the running app (read-side modules included when they are
 * loaded), each checked to be registered in Fastify: the list tests walk instead of a hand-kept one.
 */
export function registeredRoutes(app: NestFastifyApplication): Route[] {
  const fastify = app.getHttpAdapter().getInstance();
  const routes: Route[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const { metatype } of module.controllers.values()) {
      if (typeof metatype !== 'function') continue;
      const prefix = Reflect.getMetadata(PATH_METADATA, metatype) as string;
      const classAccess = Reflect.getMetadata(ACCESS, metatype) as Access | undefined;
      for (const name of Object.getOwnPropertyNames(metatype.prototype)) {
        const handler = metatype.prototype[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (path === undefined || method === undefined) continue;
        const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, metatype, name) ?? {}) as Record<string, RouteArg>;
        const queries = Object.entries(args).filter(([key]) => key.startsWith(`${RouteParamtypes.QUERY}:`));
        const route: Route = {
          method: RequestMethod[method],
          path: joined(prefix, path),
          access: (Reflect.getMetadata(ACCESS, handler) as Access | undefined) ?? classAccess ?? 'agent',
          hasBody: Object.keys(args).some((key) => key.startsWith(`${RouteParamtypes.BODY}:`)),
          queries: { read: queries.length, validated: queries.filter(([, arg]) => arg.pipes?.some((pipe) => pipe instanceof ZodQueryPipe)).length },
        };
        if (!fastify.hasRoute({ method: route.method as 'GET', url: route.path })) {
          throw new Error(`${route.method} ${route.path} is defined by a controller but not registered in Fastify`);
        }
        routes.push(route);
      }
    }
  }
  return routes;
}

/** The same path in OpenAPI's template syntax: /v1/orgs/{orgId}. */
export const openApiPath = (path: string): string => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
