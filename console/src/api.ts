import type { Session } from './session';

/** An API refusal: what the user reads is the problem's `detail`, never its JSON. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    detail: string,
    readonly problem: Record<string, unknown> = {},
  ) {
    super(detail);
  }
}

/** Highest event position this tab's own writes returned: reads wait for it (read your writes). */
let minPosition = 0n;

const segment = encodeURIComponent;

/** API v1 on this origin, as the signed-in agent. */
export class Api {
  constructor(readonly session: Session) {}

  /** /v1/orgs/{orgId}/…segments, each segment URL-encoded. */
  orgPath(...segments: string[]): string {
    return ['/v1/orgs', segment(this.session.orgId), ...segments.map(segment)].join('/');
  }

  selfPath(...segments: string[]): string {
    return this.orgPath('agents', this.session.agentId, ...segments);
  }

  get<T>(path: string, query: Record<string, string | undefined> = {}): Promise<T> {
    const params = new URLSearchParams(Object.entries(query).filter((entry): entry is [string, string] => !!entry[1]));
    return this.call<T>('GET', params.size ? `${path}?${params}` : path);
  }

  post<T>(path: string, body: object): Promise<T> {
    return this.call<T>('POST', path, body);
  }

  put<T>(path: string, body: object): Promise<T> {
    return this.call<T>('PUT', path, body);
  }

  /** A text resource (the log key), its failures as problem details too. */
  async getText(path: string): Promise<string> {
    return (await this.send('GET', path)).text();
  }

  /**
   * A resource as bytes (the NDJSON export, handed to a worker without a copy), its failures as
   * problem details too; `signal` aborts it, rejecting with the signal's reason.
   */
  async getBytes(path: string, signal?: AbortSignal): Promise<ArrayBuffer> {
    return (await this.send('GET', path, undefined, signal)).arrayBuffer();
  }

  private async call<T>(method: string, path: string, body?: object): Promise<T> {
    const parsed = await jsonOf(await this.send(method, path, body));
    const position = (parsed as { position?: unknown } | undefined)?.position;
    if (typeof position === 'string' && /^\d+$/.test(position) && BigInt(position) > minPosition) minPosition = BigInt(position);
    return parsed as T;
  }

  /** The answer when it is a success, its body unread; a refusal thrown as its problem. */
  private async send(method: string, path: string, body?: object, signal?: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.session.token}` };
    if (body) headers['content-type'] = 'application/json';
    if (method === 'GET' && minPosition > 0n) headers['x-min-position'] = minPosition.toString();
    let response: Response;
    try {
      response = await fetch(path, { method, headers, body: body ? JSON.stringify(body) : undefined, signal });
    } catch {
      if (signal?.aborted) throw signal.reason;
      throw new ApiProblem(0, undefined, 'The server cannot be reached. Check your connection and try again.');
    }
    if (!response.ok) {
      const parsed = await jsonOf(response);
      const problem = (parsed && typeof parsed === 'object' ? parsed : {}) as Record<string, unknown>;
      const detail = typeof problem.detail === 'string' ? problem.detail : `The server answered ${response.status} ${response.statusText}.`;
      throw new ApiProblem(response.status, typeof problem.code === 'string' ? problem.code : undefined, detail, problem);
    }
    return response;
  }
}

/** A JSON or problem body, undefined for any other (or unreadable) one. */
async function jsonOf(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return text && /^application\/(problem\+)?json/.test(response.headers.get('content-type') ?? '') ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}
