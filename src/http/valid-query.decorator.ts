import { Query } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import type { z } from 'zod';
import { openApiQueryParameters } from './dto/query-shape';
import { ZodQueryPipe } from './zod-query.pipe';

/**
 * The query string, validated by its zod shape (dto/query-shape.ts), which also gives the
 * operation's OpenAPI query parameters: one schema for both, so the document cannot drift. A pipe
 * of the parameter, not a global one: a global pipe runs for every parameter of every route.
 */
export const ValidQuery =
  <T>(schema: z.ZodObject & z.ZodType<T>): ParameterDecorator =>
  (target, method, index) => {
    Query(new ZodQueryPipe(schema))(target, method, index);
    // A parameter decorator runs before the method's: the operation's metadata is set on the handler itself.
    const handler = Object.getOwnPropertyDescriptor(target, method!)!;
    for (const parameter of openApiQueryParameters(schema)) ApiQuery(parameter)(target, method!, handler);
  };
