import { ApiError } from '../api-client';
import { AgentSession, type ChallengeSignature } from '../agent-session';
import type { components } from '../api-types.generated';
import { CliError } from '../cli-error';
import type { CommandSpec } from '../command-spec';
import { EXIT } from '../exit-codes';
import { sentence } from '../../shared/hidden-characters';

type TaskAuthorization = components['schemas']['TaskAuthorizationView'];

const promptRequired = (error: unknown): boolean =>
  error instanceof ApiError && error.status === 401 && error.problem.promptRequired === true;

export const taskAuthorizeCommand: CommandSpec = {
  path: ['task', 'authorize'],
  summary: 'Authorize a sensitive task in a browser; signs only when the server asks for a signature',
  args: [{ name: 'task', shownText: 'one line' }],
  options: { browser: { type: 'string', valueName: 'id', required: true, description: 'the browser the task runs from' } },
  async run(input, ctx) {
    const session = AgentSession.open(ctx);
    const { task } = input.args;
    const browserId = input.strings.browser!;
    // Each request with a key of its own, sent again the very same while no answer comes back: a lost answer records no second authorization.
    const authorize = (proof?: ChallengeSignature) =>
      session.api.idempotent((headers) => session.api.http.POST('/v1/orgs/{orgId}/sensitive-tasks', { params: { path: session.org }, headers, body: { browserId, task, ...proof } }));
    let authorization: TaskAuthorization;
    try {
      authorization = await authorize();
    } catch (error) {
      if (!promptRequired(error)) throw error;
      ctx.output.info(`"${task}" needs your signature in browser ${browserId}.`);
      const key = await session.unlockActiveKey();
      try {
        const proof = await session.sign(key, { purpose: 'SENSITIVE_TASK', browserId, task });
        authorization = await authorize(proof);
      } finally {
        key.secretKey.fill(0);
      }
    }
    if (authorization?.authorized !== true)
      throw new CliError(EXIT.REFUSED, `"${task}" was not authorized in browser ${browserId}.`, { ...authorization });
    ctx.output.result(
      `Authorized "${task}" in browser ${browserId} ${authorization.method === 'SIGNATURE' ? 'with your signature' : 'without a signature (remembered)'}; ` +
        sentence`valid until ${authorization.validUntil}.`,
      // The task and browser signed for last: members of the server's answer named alike do not override them for scripts.
      { ...authorization, task, browserId },
    );
  },
};
