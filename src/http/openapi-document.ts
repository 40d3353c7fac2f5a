import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, type OperationObject, type ReferenceObject, SwaggerModule } from '@nestjs/swagger';
import { IDEMPOTENCY_KEY_HEADER } from './idempotency-key.decorator';
import { withRefusalsBeforeOperations } from './refusals-before-operations';
import { Problem, PromptRequiredProblem, RateLimitedProblem } from './views/problem.view';

const TAGS: [string, string][] = [
  ['organizations', 'Organizations and their policy'],
  ['agents', 'The directory: agents and their roles'],
  ['challenges', 'One-time statements to sign with Ed25519'],
  ['key requests', 'Signature keys: request, approve, reject'],
  ['browsers', 'Prompt frequency per browser (R10)'],
  ['sensitive tasks', 'Authorizing sensitive tasks (R11)'],
  ['read models', 'Pending keys, zero-trust status, audit log (eventually consistent; X-Min-Position)'],
  ['verifiable log', "Signed checkpoints of each org's audit log and the key that verifies them (R16)"],
  ['sign-in', 'How the web console signs a person in (a pasted token, or an OIDC redirect)'],
  ['operations', 'Health and metrics, for the platform'],
];

/** The OpenAPI description of the API, served at /docs-json and linted in CI (npm run lint:openapi). */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('ztkeys API')
    .setDescription('Zero-trust Ed25519 signature keys for agents, approved by admins, with an event-sourced audit log. Errors are RFC 9457 problem details (application/problem+json).')
    .setVersion('1')
    .setLicense('UNLICENSED: proprietary, all rights reserved', 'https://docs.npmjs.com/cli/v11/configuring-npm/package-json#license')
    .setContact('ztkeys maintainers', '', 'dev@ztkeys.local')
    .addServer('{scheme}://{host}', 'Your ztkeys server (npm start listens on port 3000 by default)', {
      scheme: { enum: ['https', 'http'], default: 'https' },
      host: { default: 'localhost:3000', description: 'Host and port of your server' },
    })
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: "An agent's token (HS256 from npm run token, or your OIDC provider's through JWKS_URL)" }, 'agent')
    .addSecurity('operator', { type: 'http', scheme: 'bearer', description: "The operator's bootstrap token: an opaque secret (BOOTSTRAP_TOKEN or DATA_DIR/bootstrap-token), not a JWT" })
    .addSecurity('metrics', { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN, when the deployment sets one' });
  for (const [name, description] of TAGS) builder.addTag(name, description);
  const document = SwaggerModule.createDocument(app, builder.build(), { extraModels: [Problem, PromptRequiredProblem, RateLimitedProblem] });
  // RFC 9457 extension members: a refusal adds what it is about (attemptsLeft, expected, requestStatus...).
  for (const problem of [Problem, PromptRequiredProblem, RateLimitedProblem]) Object.assign(document.components!.schemas![problem.name], { additionalProperties: true });
  return withRefusalsBeforeOperations(withReusableHeader(document, IDEMPOTENCY_KEY_HEADER, 'IdempotencyKey'));
}

/** One header declared by several operations, described once in components.parameters and referenced by each. */
function withReusableHeader(document: OpenAPIObject, header: string, component: string): OpenAPIObject {
  const reference: ReferenceObject = { $ref: `#/components/parameters/${component}` };
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item) as OperationObject[]) {
      const index = operation.parameters?.findIndex((parameter) => 'in' in parameter && parameter.in === 'header' && parameter.name === header) ?? -1;
      if (index < 0) continue;
      document.components = { ...document.components, parameters: { ...document.components?.parameters, [component]: operation.parameters![index] } };
      operation.parameters![index] = reference;
    }
  }
  return document;
}
