import type { TestServer } from '../support/test-server';

/** The API of the test server as one agent's client calls it (JSON in and out), for the setup a console test needs. */
export const serverApi =
  (server: () => TestServer) =>
  async <T = Record<string, string>>(method: string, path: string, token: string, body?: object): Promise<T> => {
    const response = await fetch(`${server().url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body && JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response.json() as Promise<T>;
  };
