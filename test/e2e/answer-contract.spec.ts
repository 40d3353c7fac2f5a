import { readFileSync } from 'node:fs';
import type { OpenApiDocument } from '../../src/cli/answer-schemas';
import { DEFAULT_ORG_POLICY } from '../../src/domain/organization/org-policy';
import { OPENAPI_DOCUMENT_FILE } from '../../src/cli/api-answers';
import { AnswerContract, type RawAnswer } from '../support/answer-contract';

/**
 * The check every e2e answer goes through (test/support/answer-contract.ts) refuses what the
 * document does not declare: were it to pass everything, the suites would prove nothing.
 * Against the document the CLI ships, which test/e2e/openapi.spec.ts keeps equal to the served one.
 */
describe('the answer contract of the e2e suites', () => {
  const contract = new AnswerContract(JSON.parse(readFileSync(OPENAPI_DOCUMENT_FILE, 'utf8')) as OpenApiDocument);
  const json = (status: number, body: unknown, contentType = 'application/json; charset=utf-8'): RawAnswer => ({ status, contentType, text: JSON.stringify(body) });
  const org = { orgId: 'acme', name: 'Acme', policy: DEFAULT_ORG_POLICY, agents: 1, firstKeyAssigned: false };
  const getOrg = (answer: RawAnswer) => contract.mismatches('GET', '/v1/orgs/acme', answer);
  const problem = { type: 'urn:ztkeys:problem:not-found', title: 'Not Found', status: 404, detail: 'No such org.', code: 'NOT_FOUND' };

  it('passes an answer the document declares, problems with their extension members too', () => {
    expect(getOrg(json(200, org))).toBeUndefined();
    expect(getOrg(json(404, { ...problem, requestStatus: 'REJECTED' }, 'application/problem+json'))).toBeUndefined();
  });

  it.each([
    ['a required member missing', json(200, { orgId: 'acme', name: 'Acme', agents: 1, firstKeyAssigned: false }), 'policy: is missing'],
    ['a member of the wrong type', json(200, { ...org, agents: '1' }), 'agents: must be number'],
    ['null where the document says a string', json(200, { ...org, name: null }), 'name: must be string'],
    ['a member the document does not name', json(200, { ...org, secret: 'x' }), 'secret: is not in the document'],
    ['an undeclared status', json(418, problem, 'application/problem+json'), 'status 418 is not declared for GET /v1/orgs/{orgId}'],
    ['an undeclared content type', { status: 200, contentType: 'text/html', text: '<p>ok</p>' }, 'content type "text/html" is not declared'],
    ['a body that is not the JSON its type says', { status: 200, contentType: 'application/json', text: '{"orgId":' }, 'the body is not the application/json its content type says'],
    ['a problem without its code', json(404, { ...problem, code: undefined }, 'application/problem+json'), 'code: is missing'],
  ])('fails %s', (_, answer, why) => {
    expect(getOrg(answer)?.join('\n')).toContain(why);
    expect(() => contract.check('GET', '/v1/orgs/acme', answer)).toThrow(/is not what the OpenAPI document declares/);
  });

  it('asks a problem+json 4xx of a route the API does not have, and leaves pages outside the API alone', () => {
    expect(contract.mismatches('DELETE', '/v1/orgs', json(405, { ...problem, status: 405, code: 'METHOD_NOT_ALLOWED' }, 'application/problem+json'))).toBeUndefined();
    expect(contract.mismatches('GET', '/v1/nothing', { status: 404, contentType: 'text/html', text: 'nope' })).toEqual([expect.stringContaining('not application/problem+json')]);
    expect(contract.mismatches('GET', '/v1/nothing', json(200, {}))).toEqual([expect.stringContaining('is no operation of the document, yet answered 200')]);
    expect(contract.mismatches('GET', '/console/', { status: 200, contentType: 'text/html', text: '<html>' })).toBeUndefined();
  });
});
