import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule, type Runtime } from '../app.module';
import { validationPipe } from './validation';

/** The Nest application on Fastify, configured as it runs in production; tests use the same. */
export async function createHttpApp(runtime: Runtime): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({ bodyLimit: runtime.config.bodyLimitBytes, trustProxy: true });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.register(runtime), adapter, { bufferLogs: true });
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
  return app;
}
