import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { CliError } from './cli-error';
import { EXIT } from './exit-codes';

/** RFC 9457 problem details, as the server answers every error (PRODUCT.md R15). */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  errors?: unknown;
  [extension: string]: unknown;
}

/** An error answer of the server: 4xx is a refusal (exit 3), anything else a server failure (exit 4). */
export class ApiError extends CliError {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(status >= 400 && status < 500 ? EXIT.REFUSED : EXIT.SERVER, describeProblem(status, problem), { status, problem });
    this.name = 'ApiError';
  }
}

/** True when an error is the server's problem with this code (VERIFICATION_CODE_MISMATCH, ...). */
export const isProblem = (error: unknown, code: string): error is ApiError =>
  error instanceof ApiError && error.problem.code === code;

function describeProblem(status: number, problem: Problem): string {
  const head = `${problem.title ?? 'Error'} (HTTP ${status})`;
  const lines = [problem.detail ? `${head}: ${problem.detail}` : head];
  if (problem.code) lines.push(`  code: ${problem.code}`);
  if (Array.isArray(problem.errors))
    for (const error of problem.errors) lines.push(`  - ${typeof error === 'string' ? error : JSON.stringify(error)}`);
  return lines.join('\n');
}

/** Read-your-writes across runs: the highest position seen is sent as X-Min-Position on reads. */
export interface PositionTracker {
  lastPosition(): string | undefined;
  recordPosition(position: string): void;
}

type Query = Record<string, string | undefined>;

const REQUEST_TIMEOUT_MS = 60_000;

/** HTTP client of API v1: JSON bodies, bearer token, problem+json errors. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
    private readonly positions?: PositionTracker,
  ) {}

  get<T>(path: string, query?: Query): Promise<T> {
    return this.send<T>('GET', path, undefined, query);
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.send<T>('POST', path, body);
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.send<T>('PUT', path, body);
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.send<T>('PATCH', path, body);
  }

  delete<T>(path: string, body?: unknown): Promise<T> {
    return this.send<T>('DELETE', path, body);
  }

  /** A streamed GET (the NDJSON audit export): no overall timeout, the log may be long. */
  async stream(path: string): Promise<Readable> {
    const response = await this.fetch('GET', path, undefined, undefined, undefined);
    if (!response.body) return Readable.from([]);
    return Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
  }

  private async send<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
    const response = await this.fetch(method, path, body, query, AbortSignal.timeout(REQUEST_TIMEOUT_MS));
    const text = await response.text().catch((error: unknown) => {
      throw this.unreachable(error);
    });
    if (text === '') return undefined as T;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new CliError(EXIT.SERVER, `${method} ${path}: the server's answer is not JSON.`);
    }
    this.notePosition(value);
    return value as T;
  }

  /** Commands answer the position of their events, refusals that were audited too. */
  private notePosition(body: unknown): void {
    const position = (body as { position?: unknown } | null)?.position;
    if (this.positions && (typeof position === 'string' || typeof position === 'number') && /^\d+$/.test(String(position)))
      this.positions.recordPosition(String(position));
  }

  private async fetch(method: string, path: string, body: unknown, query: Query | undefined, signal: AbortSignal | undefined): Promise<Response> {
    const url = new URL(path.replace(/^\//, ''), this.baseUrl.endsWith('/') ? this.baseUrl : `${this.baseUrl}/`);
    for (const [name, value] of Object.entries(query ?? {})) if (value !== undefined) url.searchParams.set(name, value);
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, accept: 'application/json, application/problem+json, application/x-ndjson' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const minPosition = method === 'GET' ? this.positions?.lastPosition() : undefined;
    if (minPosition !== undefined) headers['x-min-position'] = minPosition;
    let response: Response;
    try {
      response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
    } catch (error) {
      throw this.unreachable(error);
    }
    if (!response.ok) {
      const problem = await readProblem(response);
      this.notePosition(problem);
      throw new ApiError(response.status, problem);
    }
    return response;
  }

  private unreachable(error: unknown): CliError {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why = (error as Error).name === 'TimeoutError' ? 'no answer in time' : (cause?.code ?? cause?.message ?? (error as Error).message);
    return new CliError(EXIT.SERVER, `Cannot reach the ztkeys server at ${this.baseUrl}: ${why}.`);
  }
}

async function readProblem(response: Response): Promise<Problem> {
  const text = await response.text().catch(() => '');
  try {
    const problem = JSON.parse(text) as Problem;
    if (problem && typeof problem === 'object') return problem;
  } catch {
    // not problem+json (a proxy's error page, say): keep what can be shown
  }
  return { title: response.statusText || 'Error', status: response.status, detail: text.slice(0, 500) || undefined };
}
