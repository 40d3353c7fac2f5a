import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';
import { problem } from './problem';

/** Flattens class-validator errors into `{field, problems}` with dotted paths. */
function flatten(errors: ValidationError[], parent = ''): { field: string; problems: string[] }[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, problems: Object.values(error.constraints) }] : [];
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** Input validation: unknown fields are refused, types are strict, and the answer says what was wrong. */
export const validationPipe = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  forbidUnknownValues: true,
  validationError: { target: false, value: false },
  exceptionFactory: (errors) => {
    const list = flatten(errors);
    const summary = list.map((entry) => `${entry.field}: ${entry.problems.join(', ')}`).join('; ');
    return new BadRequestException(problem(400, 'INVALID_INPUT', `The request is not valid. ${summary}`, { errors: list }));
  },
});
