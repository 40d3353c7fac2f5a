import { z } from 'zod';

/**
 * A JSON body of exactly these fields: any other is refused by name, at any depth of the bodies
 * built from these, including names of Object.prototype members (`constructor`, `toString`); the
 * JSON parser refuses `__proto__` before (see json-body.ts).
 */
export const bodySchema = <S extends z.ZodRawShape>(shape: S) => z.strictObject(shape);

/** The OpenAPI 3.0 schema of a body, derived from the zod schema that validates it: what a client may send (defaults make a field optional). */
export const openApiBodySchema = (schema: z.ZodType): Record<string, unknown> =>
  z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input' }) as Record<string, unknown>;
