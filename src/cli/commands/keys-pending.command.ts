import { AgentSession } from '../agent-session';
import { declaredMembers } from '../api-answers';
import type { CommandSpec } from '../command-spec';
import { fetchAllPages } from '../pagination';
import { formatTable } from '../output';
import { approvalsLabel } from '../key-request-view';
import { reviewKeyRequest, requesterLabel } from './key-request-review';
import { sentence } from '../../shared/hidden-characters';

export const keysPendingCommand: CommandSpec = {
  path: ['keys', 'pending'],
  summary: 'List key requests waiting for approval (ADMIN, SUPER_ADMIN), codes checked against their keys',
  async run(_input, ctx) {
    const session = AgentSession.open(ctx);
    const { items } = await fetchAllPages(
      (cursor) => session.api.ok(session.api.http.GET('/v1/orgs/{orgId}/key-requests', { params: { path: session.org, query: { status: 'PENDING', cursor } } })),
      (page) => page.items,
    );
    const reviewed = items.map((item) => ({ item, review: reviewKeyRequest(session.profile.orgId, item) }));
    for (const { item, review } of reviewed)
      for (const problem of review.problems) ctx.output.warn(sentence`request ${item.requestId}: ${problem}. Do not approve it.`);
    ctx.output.result(
      items.length === 0
        ? 'No key request is waiting.'
        : formatTable(
            ['REQUEST', 'REQUESTER', 'FINGERPRINT', 'REPLACES', 'VERIFICATION CODE', 'REQUESTED AT', 'EXPIRES AT', 'WRONG CODES', 'APPROVALS'],
            reviewed.map(({ item, review }) => [
              item.requestId,
              requesterLabel(item),
              `${item.fingerprint.slice(0, 16)}…`,
              // R8: the requester's ACTIVE key that approving revokes.
              item.replacesFingerprint && `${item.replacesFingerprint.slice(0, 16)}…`,
              review.problems.length === 0 ? review.code : 'MISMATCH (see warning)',
              item.requestedAt,
              item.expiresAt,
              String(item.failedAttempts ?? 0),
              approvalsLabel(item),
            ]),
          ),
      { items: reviewed.map(({ item, review }) => ({ ...item, verified: review.problems.length === 0, problems: review.problems })) },
      [...declaredMembers('PendingKeyView'), 'verified', 'problems'],
    );
  },
};
