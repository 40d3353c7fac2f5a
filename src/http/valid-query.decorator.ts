import { Query } from '@nestjs/common';
import { validationPipe } from './validation';

/**
 * The query string, validated by its class (class-validator, strict). A pipe of the parameter,
 * not a global one: a global pipe runs for every parameter of every route (the command context,
 * ids, bodies), two promises each on every request, to pass all but queries through.
 */
export const ValidQuery = (): ParameterDecorator => Query(validationPipe);
