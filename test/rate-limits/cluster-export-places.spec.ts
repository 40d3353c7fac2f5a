/**
 * A cluster worker's export places when its primary does not answer (cluster-export-places.ts):
 * the worker counts on its own and asks the primary to free whatever it grants late, keeping
 * nothing waiting. The real IPC, with a SIGSTOPped primary, is test/ops/cluster-limits.spec.ts.
 */
import { ClusterExportPlaces, type Request } from '../../src/rate-limits/cluster-export-places';

describe('export places of a cluster worker whose primary is silent', () => {
  it('counts on its own after the timeout, sends the place back, and keeps nothing waiting', async () => {
    const sent: Request[] = [];
    const places = new ClusterExportPlaces({ perOrg: 2, perAgent: 1 }, (request) => sent.push(request));
    const caller = { orgId: 'org-1', agentId: 'agent-1' };
    const [first, second] = await Promise.all([places.take(caller), places.take(caller)]);
    // The worker's own count: the agent's one place, then its bound.
    expect(first).toHaveProperty('release');
    expect(second).toEqual({ full: 'concurrent_exports_per_agent', max: 1 });
    expect(places.unanswered).toBe(0);
    // Each take is followed, in the order the primary reads them, by the release of what it may grant.
    expect(sent.map(({ type }) => type)).toEqual(['take', 'take', 'release', 'release']);
    expect(sent.slice(2).map(({ id }) => id)).toEqual(sent.slice(0, 2).map(({ id }) => id));
    // A late grant finds no one waiting.
    places.receive({ channel: 'ztkeys_export_places', id: sent[0].id });
    expect(places.unanswered).toBe(0);
  });
});
