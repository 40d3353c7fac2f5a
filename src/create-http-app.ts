import type { IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module';
import { answerClientError } from './http/client-error';
import { answerStalledRequests, requestDeadline } from './http/request-deadline';
import { capConnections } from './http/connection-cap';
import { setApiAnswerHeaders } from './http/api-answer-headers';
import { refuseAmbiguousRequests } from './http/http-framing';
import { acceptJsonBodiesOnly } from './http/json-body';
import { serveConsole } from './http/console-static';
import { DOCS_PATH, serveDocsPageAssetsOnly } from './http/docs-assets';
import { openApiDocument } from './http/openapi-document';
import { originForm } from './http/origin-form';
import { unreservedDecoded } from './http/unreserved-decoded';
import { answerRouterRefusal, MAX_PATH_PARAMETER_LENGTH } from './http/router-refusals';
import { jsonLogger } from './logging/json-logger';
import { logRequests } from './logging/request-log';
import { answerRequestIds, requestIdFor } from './logging/request-id';
import { limitApiRequestsPerAddress } from './http/api-rate-limit';
import { refuseRequestsWhileStopping } from './http/refuse-while-stopping';
import { measureHttp } from './metrics/http-metrics';
import type { Runtime } from './runtime/runtime';

/** The Nest application on Fastify, configured as it runs in production; tests use the same. */
export async function createHttpApp(runtime: Runtime): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: runtime.config.bodyLimitBytes,
    // X-Forwarded-For is believed only from the proxies configured (TRUSTED_PROXIES): by default from none.
    trustProxy: runtime.config.trustedProxies.length > 0 ? runtime.config.trustedProxies : false,
    clientErrorHandler: answerClientError,
    // Fastify's default (0) lets a request whose body never ends hold its connection forever: 408 after this long.
    requestTimeout: runtime.config.requestTimeoutMs,
    // requestTimeout bounds the request's arrival, not the answer's: a client that stops reading one
    // (an export read a few bytes a second, or never) would hold its connection and the pages read
    // for it for as long as it likes. No byte taken or sent for this long, and the socket is closed
    // (a request still arriving answered 408 first: answerStalledRequests).
    connectionTimeout: runtime.config.connectionTimeoutMs,
    // Every idle connection kept for a next request holds a socket: configuration, not Fastify's fixed 72 s.
    keepAliveTimeout: runtime.config.keepAliveTimeoutMs,
    http: {
      // Node would answer a request without Host with an empty 400 of its own: refuseAmbiguousRequests answers it as a problem.
      requireHostHeader: false,
      // What makes requestTimeout hold (Fastify sets it on the server again, the same).
      ...requestDeadline(runtime.config.requestTimeoutMs),
    },
    // `GET http://host/v1/... HTTP/1.1` and `GET /%761/... HTTP/1.1` are read as `GET /v1/...` by every hook and guard, as the router reads them.
    rewriteUrl: (request: IncomingMessage) => unreservedDecoded(originForm(request.url ?? '/')),
    genReqId: requestIdFor,
    // Requests that arrive while stopping are refused by refuseRequestsWhileStopping, as problems.
    return503OnClosing: false,
    routerOptions: { maxParamLength: MAX_PATH_PARAMETER_LENGTH },
    frameworkErrors: answerRouterRefusal,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.register(runtime), adapter, { bufferLogs: true, bodyParser: false });
  const fastify = adapter.getInstance();
  measureHttp(fastify, runtime.registry);
  capConnections(fastify.server, runtime.config.maxConnections, runtime.registry);
  answerStalledRequests(fastify.server);
  answerRequestIds(fastify);
  setApiAnswerHeaders(fastify);
  logRequests(fastify, runtime.config.logLevel);
  refuseRequestsWhileStopping(fastify);
  limitApiRequestsPerAddress(fastify, runtime.rateLimits);
  refuseAmbiguousRequests(fastify);
  acceptJsonBodiesOnly(fastify);
  app.useLogger(jsonLogger(runtime.config.logLevel));
  serveDocsPageAssetsOnly(fastify);
  // Built at the first request for the docs, and kept: a start does not pay for a document few ask for.
  SwaggerModule.setup(DOCS_PATH.slice(1), app, () => openApiDocument(app), { jsonDocumentUrl: 'docs-json' });
  if (runtime.config.roles.includes('api')) await serveConsole(app, runtime.config.consoleOidc);
  return app;
}
