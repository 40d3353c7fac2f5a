import { type IncomingHttpHeaders, request as httpRequest } from 'node:http';

/** One request on a connection of its own: the cluster hands connections, not requests, to its workers. A JSON answer is parsed, any other (/metrics) is its text. */
export function ownConnectionCall(url: string, method: string, path: string, token: string, body?: unknown): Promise<{ status: number; headers: IncomingHttpHeaders; body: any }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const request = httpRequest(
      `${url}${path}`,
      { method, agent: false, headers: { authorization: `Bearer ${token}`, ...(payload ? { 'content-type': 'application/json' } : {}) } },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body: /json/.test(response.headers['content-type'] ?? '') ? JSON.parse(text) : text || undefined }));
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}
