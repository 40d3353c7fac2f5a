import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { openApiDocument } from './http/openapi-document';
import { PROBLEM_CONTENT_TYPE, problem } from './http/problem';
import { validationPipe } from './http/validation';
import { answerRequestIds, requestIdFor } from './logging/request-id';
import { measureHttp } from './metrics/http-metrics';
import type { Runtime } from './runtime/runtime';

/** The Nest application on Fastify, configured as it runs in production; tests use the same. */
export async function createHttpApp(runtime: Runtime): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: runtime.config.bodyLimitBytes,
    trustProxy: true,
    genReqId: requestIdFor,
    // A request id carries its requester's id (up to 128 characters) in base64url: up to 208 characters.
    routerOptions: { maxParamLength: 512 },
    // URLs Fastify refuses before Nest sees them (malformed, or a parameter too long) are answered as problems too.
    frameworkErrors: (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
      const status = error.statusCode ?? 400;
      void reply.status(status).header('content-type', PROBLEM_CONTENT_TYPE).send(problem(status, error.code, error.message));
    },
  });
  // Bodies are JSON only: Nest would also parse forms, and Fastify plain text (415 instead).
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.register(runtime), adapter, { bufferLogs: true, bodyParser: false });
  const fastify = adapter.getInstance();
  measureHttp(fastify, runtime.registry);
  answerRequestIds(fastify);
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, fastify.getDefaultJsonParser('error', 'error'));
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(validationPipe);
  const document = openApiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
}
