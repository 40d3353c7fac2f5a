import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProfileStore } from '../../../src/cli/profile-store';

/** A plain HTTP listener standing in for the API, and a CLI home whose default profile points at it. */
export interface StandInApi {
  home: string;
  close(): Promise<void>;
}

/**
 * Starts `answer` on a loopback port and saves the default profile of a new home (`ztkeys-{name}-`)
 * for it: what the suites that need an answer the real server would never give run the CLI against.
 */
export async function standInApi(name: string, answer: RequestListener, profile: { orgId?: string; agentId?: string } = {}): Promise<StandInApi> {
  const home = mkdtempSync(join(tmpdir(), `ztkeys-${name}-`));
  const server = createServer(answer);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  new ProfileStore(home).save('default', { apiUrl: `http://127.0.0.1:${port}`, token: 'token-1', orgId: profile.orgId ?? 'org-1', agentId: profile.agentId ?? 'bob' });
  return {
    home,
    close: async () => {
      // An answer left streaming (a client that gave up on it) would keep close() waiting.
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** What a stand-in answers a request with: a status, a JSON body and headers; undefined, a 404 problem. */
export type JsonAnswer = [status: number, body: unknown, headers?: Record<string, string>] | undefined;

/**
 * A listener that reads each request's body, notes "METHOD URL" in `seen`, and answers what `route`
 * gives for it as JSON: for the suites whose stand-in answers a few operations of the API.
 */
export function jsonRoutes(route: (method: string, url: string, body: string) => JsonAnswer, seen: string[]): RequestListener {
  return (request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      seen.push(`${request.method} ${request.url}`);
      const answer = route(request.method!, request.url!, body);
      if (!answer) {
        response.writeHead(404, { 'content-type': 'application/problem+json' });
        response.end(JSON.stringify({ title: 'Not Found', status: 404, detail: 'stand-in' }));
        return;
      }
      const [status, value, headers] = answer;
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(JSON.stringify(value));
    });
  };
}
