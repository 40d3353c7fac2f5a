import type { ExecutionContext } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { z } from 'zod';
import { quoted } from '../shared/quoted';
import type { FieldProblems } from './validation';

const PATH_PARAMETERS = Symbol('PATH_PARAMETERS');

interface Declared {
  name: string;
  schema: z.ZodString;
}

/**
 * A path parameter, validated by its zod schema (PathParametersGuard) which also gives its OpenAPI
 * schema, description and example (its meta): one schema for both, so the document cannot drift.
 * On a controller, it is a parameter of each of its operations.
 */
export const PathParam =
  (name: string, schema: z.ZodString): ClassDecorator & MethodDecorator =>
  (target: object, method?: string | symbol, descriptor?: PropertyDescriptor) => {
    const { description, example, ...documented } = z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input' }) as Record<string, unknown>;
    ApiParam({ name, ...(typeof description === 'string' && { description }), schema: documented, ...(example !== undefined && { example }) })(target, method!, descriptor!);
    const holder = (descriptor?.value ?? target) as object;
    Reflect.defineMetadata(PATH_PARAMETERS, [...((Reflect.getOwnMetadata(PATH_PARAMETERS, holder) as Declared[] | undefined) ?? []), { name, schema }], holder);
  };

/** The path parameters an operation declares, on its controller and on its handler. */
export const declaredPathParameters = (context: ExecutionContext): Declared[] =>
  [context.getClass(), context.getHandler()].flatMap((holder) => (Reflect.getOwnMetadata(PATH_PARAMETERS, holder) as Declared[] | undefined) ?? []);

/** What is wrong with each path parameter outside its schema, as a body field's problems are listed. */
export function pathParameterProblems(declared: Declared[], params: Record<string, string | undefined>): FieldProblems[] {
  return declared.flatMap(({ name, schema }) => {
    const value = params[name];
    const parsed = value === undefined ? undefined : schema.safeParse(value);
    if (!parsed || parsed.success) return [];
    return [{ field: name, problems: parsed.error.issues.map((issue) => `${name} ${quoted(value!)}: ${issue.message}`) }];
  });
}
