import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Logger } from 'nestjs-pino';
import { AppModule, type Runtime } from '../app.module';
import { serveConsole } from './console-static';
import { PROBLEM_CONTENT_TYPE, problem } from './problem';
import { validationPipe } from './validation';

/** The Nest application on Fastify, configured as it runs in production; tests use the same. */
export async function createHttpApp(runtime: Runtime): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: runtime.config.bodyLimitBytes,
    trustProxy: true,
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
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, fastify.getDefaultJsonParser('error', 'error'));
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(validationPipe);
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('ztkeys API')
      .setDescription('Zero-trust Ed25519 signature keys for agents, approved by admins, with an event-sourced audit log.')
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'agent')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'operator bootstrap token' }, 'operator')
      .build(),
  );
  document.components = {
    ...document.components,
    schemas: {
      ...document.components?.schemas,
      Problem: {
        type: 'object',
        description: 'RFC 9457 problem details',
        required: ['type', 'title', 'status', 'detail', 'code'],
        properties: {
          type: { type: 'string' },
          title: { type: 'string' },
          status: { type: 'integer' },
          detail: { type: 'string' },
          code: { type: 'string' },
          errors: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, problems: { type: 'array', items: { type: 'string' } } } } },
        },
      },
    },
  };
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  if (runtime.config.roles.includes('api')) await serveConsole(app);
  return app;
}
