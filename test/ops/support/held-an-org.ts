import { waitFor } from '../../notifications/support/wait-for';
import type { ServerProcess } from './server-process';

/**
 * Makes a just spawned server's folder one that held events, as an operator's is: creates the org
 * Acme with the bootstrap token, waits until `settled(url)` (what the test needs written), then
 * stops it with SIGTERM.
 */
export async function holdAnOrgThenStop(server: ServerProcess, bootstrapToken: string, settled: (url: string) => Promise<boolean>): Promise<void> {
  const url = await server.listening(120_000);
  const org = await fetch(`${url}/v1/orgs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bootstrapToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Acme', superAdmin: { agentId: 'alice', email: 'alice@example.com', displayName: 'Alice' } }),
  });
  expect(org.status).toBe(201);
  await waitFor('the stores to hold the org', () => settled(url));
  expect(await server.stopWith('SIGTERM', 30_000)).toBeLessThan(Infinity);
}
