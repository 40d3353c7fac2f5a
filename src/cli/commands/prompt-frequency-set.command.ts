import { PROMPT_FREQUENCIES } from '../../domain/browser/browser.events';
import { AgentSession } from '../agent-session';
import type { components } from '../api-types.generated';
import { choice } from '../choice';
import type { CommandSpec } from '../command-spec';

type PromptFrequencyView = components['schemas']['PromptFrequencyView'];

const MEANING: Record<string, string> = {
  EVERY_TASK: 'every sensitive task asks for a signature',
  DAILY: 'a signature is remembered there for 24 hours',
  WEEKLY: 'a signature is remembered there for 7 days',
};

export const promptFrequencySetCommand: CommandSpec = {
  path: ['prompt-frequency', 'set'],
  summary: 'Set how often a browser asks for your signature, signed with your key',
  args: [{ name: 'frequency', choices: PROMPT_FREQUENCIES }],
  options: { browser: { type: 'string', valueName: 'id', required: true, description: 'the browser it applies to' } },
  async run(input, ctx) {
    const session = AgentSession.open(ctx);
    const frequency = choice(PROMPT_FREQUENCIES, input.args.frequency);
    const browserId = input.strings.browser!;
    const key = await session.unlockActiveKey();
    let response: PromptFrequencyView;
    try {
      const proof = await session.sign(key, { purpose: 'PROMPT_FREQUENCY', browserId, frequency });
      response = await session.api.idempotent((headers) =>
        session.api.http.PUT('/v1/orgs/{orgId}/agents/{agentId}/browsers/{browserId}/prompt-frequency', {
          params: { path: session.browser(browserId) },
          headers,
          body: { frequency, ...proof },
        }),
      );
    } finally {
      key.secretKey.fill(0);
    }
    ctx.output.result(`Prompt frequency in browser ${browserId}: ${frequency} (${MEANING[frequency]}).`, { ...response, browserId, frequency });
  },
};
