/** Who is calling, as their verified token says. Roles are NOT in tokens (R1): the directory holds them. */
export interface Caller {
  agentId: string;
  orgId: string;
}
