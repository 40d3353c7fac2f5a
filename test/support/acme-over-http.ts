import { checkedFetch } from './answer-contract';

/**
 * Org Acme, alice its SUPER_ADMIN, created with the operator's token on the server at `url` (a
 * built one, spawned); and a read of the org with a bearer token, for tests of what tokens pass.
 */
export async function createAcmeOverHttp(url: string, bootstrapToken: string): Promise<{ orgId: string; readOrg: (token: string) => Promise<Response> }> {
  const created = await checkedFetch(`${url}/v1/orgs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bootstrapToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Acme', superAdmin: { agentId: 'alice', email: 'alice@example.com', displayName: 'Alice' } }),
  });
  const { orgId } = (await created.json()) as { orgId: string };
  return { orgId, readOrg: (token) => checkedFetch(`${url}/v1/orgs/${orgId}`, { headers: { authorization: `Bearer ${token}` } }) };
}
