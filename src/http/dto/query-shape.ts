import { z } from 'zod';

/**
 * A query string of exactly these fields: any other is refused by name, including names of
 * Object.prototype members (`constructor`, `toString`). Each field takes the string the query
 * gives, and turns it into what the handler reads (a number, say).
 */
export const queryShape = <S extends z.ZodRawShape>(shape: S) => z.strictObject(shape);

/** An OpenAPI 3.0 query parameter, as @nestjs/swagger's ApiQuery takes it. */
export interface QueryParameter {
  name: string;
  required: boolean;
  description?: string;
  schema: Record<string, unknown>;
}

/**
 * The query parameters of a query shape, derived from the schemas that validate them: each as the
 * handler reads it (an integer, not the digits that give it), its description beside the schema.
 */
export const openApiQueryParameters = (schema: z.ZodObject): QueryParameter[] =>
  Object.entries(schema.shape).map(([name, field]) => {
    const { description, ...fieldSchema } = z.toJSONSchema(field, { target: 'openapi-3.0', io: 'output' }) as Record<string, unknown>;
    return { name, required: !field.safeParse(undefined).success, ...(typeof description === 'string' && { description }), schema: fieldSchema };
  });
