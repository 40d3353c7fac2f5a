import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

class FieldProblems {
  @ApiProperty({ example: 'superAdmin.email' }) field: string;
  @ApiProperty({ type: [String], example: ['email must be an email'] }) problems: string[];
}

/** RFC 9457 problem details, the application/problem+json body of every error (see ../problem.ts). */
export class Problem {
  @ApiProperty({ example: 'urn:ztkeys:problem:invalid-input' }) type: string;
  @ApiProperty({ example: 'Bad Request' }) title: string;
  @ApiProperty({ example: 400 }) status: number;
  @ApiProperty({ example: 'The request is invalid.' }) detail: string;
  @ApiProperty({ description: 'Stable machine-readable code', example: 'INVALID_INPUT' }) code: string;
  @ApiPropertyOptional({ type: [FieldProblems], description: 'Field by field, for invalid input' }) errors?: FieldProblems[];
  @ApiPropertyOptional({ description: 'Log position of an audited refusal', example: '42' }) position?: string;
}

/** The 429 of a request over a rate limit (README, Security). */
export class RateLimitedProblem extends Problem {
  @ApiProperty({ description: 'The limit that refused (RATE_LIMIT_<NAME> in lower case)', example: 'challenges_per_agent' }) limit: string;
  @ApiProperty({ description: 'Seconds until the limit frees a request, as in Retry-After', example: 12 }) retryAfter: number;
}

/** The 401 of a sensitive task that needs a fresh signature (R11): the refusal is audited. */
export class PromptRequiredProblem extends Problem {
  @ApiProperty({ description: 'true: get a SENSITIVE_TASK challenge, sign it and send it; false: no ACTIVE key', example: true })
  promptRequired: boolean;
}
