import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse } from '@nestjs/swagger';

const problemResponse = (status: number, description: string) =>
  ApiResponse({ status, description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });

/** The error answers every authenticated endpoint documents. */
export const AgentEndpoint = (...extra: [number, string][]) =>
  applyDecorators(
    ApiBearerAuth('agent'),
    problemResponse(400, 'Invalid input'),
    problemResponse(401, 'Missing, invalid or expired token'),
    problemResponse(403, 'The caller is not a member or lacks the role'),
    problemResponse(404, 'Not found (including any resource of another organization)'),
    ...extra.map(([status, description]) => problemResponse(status, description)),
  );

/** The error answers of the operator's endpoint (bootstrap token). */
export const OperatorEndpoint = () =>
  applyDecorators(
    ApiBearerAuth('operator'),
    problemResponse(400, 'Invalid input'),
    problemResponse(401, 'Missing or wrong bootstrap token'),
  );

/** The scrapers' endpoint: open unless METRICS_TOKEN is set. */
export const MetricsEndpoint = () => applyDecorators(ApiBearerAuth('metrics'), problemResponse(401, 'METRICS_TOKEN is set and the token is missing or wrong'));
