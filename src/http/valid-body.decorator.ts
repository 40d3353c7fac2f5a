import { Body } from '@nestjs/common';
import { ApiBody } from '@nestjs/swagger';
import type { z } from 'zod';
import { openApiBodySchema } from './dto/body-schema';
import { ZodBodyPipe } from './zod-body.pipe';

/**
 * The request body, validated by its zod schema (or a pipe of one), which also gives the
 * operation's OpenAPI request body: one schema for both, so the document cannot drift.
 */
export const ValidBody =
  <T>(validation: z.ZodType<T> | ZodBodyPipe<T>, description?: string): ParameterDecorator =>
  (target, method, index) => {
    const pipe = validation instanceof ZodBodyPipe ? validation : new ZodBodyPipe(validation);
    Body(pipe)(target, method, index);
    // A parameter decorator runs before the method's: the operation's metadata is set on the handler itself.
    ApiBody({ schema: openApiBodySchema(pipe.schema), ...(description && { description }) })(target, method!, Object.getOwnPropertyDescriptor(target, method!)!);
  };
