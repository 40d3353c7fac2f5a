import type { AnswerSchemas, OpenApiDocument } from '../../src/cli/answer-schemas';
import { compileAnswerSchemas } from '../../src/cli/compile-answer-schemas';

/** An answer as it came: status, content type, and the body's text. */
export interface RawAnswer {
  status: number;
  contentType: string;
  text: string;
}

/**
 * Every answer the e2e suites receive is checked against the OpenAPI document the server serves:
 * its status must be declared for the operation, its content type for that status, and its body
 * must match the schema, with no member the schema does not name (a generated client trusts the
 * document, so an answer it does not describe is a bug an integrator meets).
 */
export class AnswerContract {
  private readonly schemas: AnswerSchemas;
  /** Path templates with their patterns, most literal segments first: /audit-log/export before /{agentId}. */
  private readonly templates: { template: string; pattern: RegExp }[];

  constructor(document: OpenApiDocument) {
    this.schemas = compileAnswerSchemas(document, { closedObjects: true, allErrors: true });
    const literals = (template: string) => template.split('/').filter((segment) => !segment.startsWith('{')).length;
    this.templates = Object.keys(document.paths)
      .sort((a, b) => literals(b) - literals(a))
      .map((template) => ({
        template,
        pattern: new RegExp(`^${template.split('/').map((segment) => (segment.startsWith('{') ? '[^/]+' : escapeRegExp(segment))).join('/')}$`),
      }));
  }

  /**
   * What is wrong with the answer to `method target`, or undefined. A request that is no operation
   * of the document (a route the API does not have) must get a problem+json 4xx; pages outside the
   * API (the console, the document itself) are not its business.
   */
  mismatches(method: string, target: string, answer: RawAnswer): string[] | undefined {
    if (answer.status === 0) return undefined; // the server closed without answering: nothing to check
    const verb = method.toUpperCase();
    const path = target.split(/[?#]/)[0];
    const mediaType = answer.contentType.split(';')[0].trim().toLowerCase();
    const body = verb === 'HEAD' ? undefined : bodyOf(mediaType, answer.text);
    if (body instanceof Error) return [body.message];
    const template = this.templates.find(({ pattern }) => pattern.test(path))?.template;
    const asked = verb === 'HEAD' ? 'GET' : verb;
    if (template && this.schemas.has(asked, template)) return this.schemas.mismatches(asked, template, answer.status, mediaType, body);
    if (!/^\/(v1|health|metrics)(\/|$)/.test(path)) return undefined;
    if (answer.status < 400 || answer.status >= 500) return [`${verb} ${path} is no operation of the document, yet answered ${answer.status}`];
    if (mediaType !== 'application/problem+json') return [`${verb} ${path} is no operation of the document, yet answered ${answer.contentType}, not application/problem+json`];
    return body === undefined ? undefined : this.schemas.schemaMismatches('Problem', body);
  }

  /** The test fails naming what differs, unless the answer is what the document declares. */
  check(method: string, target: string, answer: RawAnswer): void {
    const wrong = this.mismatches(method, target, answer);
    if (wrong)
      throw new Error(
        `The answer to ${method} ${target} is not what the OpenAPI document declares:\n  ${wrong.join('\n  ')}\nanswer: ${answer.status} ${answer.contentType} ${answer.text.slice(0, 2000)}`,
      );
  }
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** JSON media types parsed, others (NDJSON, text) as their text. */
function bodyOf(mediaType: string, text: string): unknown {
  if (!/^application\/(.+\+)?json$/.test(mediaType)) return text;
  try {
    return JSON.parse(text);
  } catch {
    return new Error(`the body is not the ${mediaType} its content type says`);
  }
}

let loaded: Promise<AnswerContract> | undefined;

/** The contract of the document served at `url` (/docs-json), loaded once per test file (jest's module registry is per file). */
export function answerContract(url: string): Promise<AnswerContract> {
  loaded ??= fetch(`${url}/docs-json`).then(async (response) => {
    if (response.status !== 200) throw new Error(`GET /docs-json answered ${response.status}`);
    return new AnswerContract((await response.json()) as OpenApiDocument);
  });
  loaded.catch(() => (loaded = undefined));
  return loaded;
}

/** fetch, with the answer checked against the document: for tests and clients that send their own requests. */
export async function checkedFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const request = new Request(input, init);
  const response = await fetch(request);
  // The URL as sent: fetch resolves dot segments (/agents/. is /agents/).
  const url = new URL(request.url);
  const answer = { status: response.status, contentType: response.headers.get('content-type') ?? '', text: await response.clone().text() };
  (await answerContract(url.origin)).check(request.method, `${url.pathname}${url.search}`, answer);
  return response;
}
