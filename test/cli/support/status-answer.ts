/** A zero-trust status answer as API v1 gives it (the CLI checks it against the OpenAPI document). */
export const statusAnswer = (agents: { agentId: string; displayName: string; role: string; keyStatus: string }[]) => ({
  agents: agents.map((agent) => ({
    ...agent,
    email: `${agent.agentId}@example.com`,
    fingerprint: null,
    approvedBy: null,
    approvedAt: null,
    activeKey: null,
    lastRequest: null,
    lastRevocation: null,
    promptFrequencies: {},
    addedAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
  })),
  totals: { agents: agents.length, withActiveKey: 0, pending: 0, none: agents.length, byKeyStatus: { NONE: agents.length } },
});
