import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/**
 * The X-Min-Position header of a read (optional; ReadAccess checks it). A custom decorator rather
 * than @Headers: the OpenAPI document declares the header once, optional (MinPositionHeader).
 */
export const MinPosition = createParamDecorator((_: unknown, context: ExecutionContext): string | string[] | undefined => {
  return context.switchToHttp().getRequest<FastifyRequest>().headers['x-min-position'];
});
