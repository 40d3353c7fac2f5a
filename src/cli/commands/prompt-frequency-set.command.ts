import { PROMPT_FREQUENCIES, type PromptFrequency } from '../../domain/browser/browser.events';
import { AgentSession } from '../agent-session';
import type { CommandSpec } from '../command-spec';

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
    // One of PROMPT_FREQUENCIES: the command line checked the argument's choices.
    const frequency = input.args.frequency as PromptFrequency;
    const browserId = input.strings.browser!;
    const key = await session.unlockActiveKey();
    let response: object;
    try {
      const proof = await session.sign(key, { purpose: 'PROMPT_FREQUENCY', browserId, frequency });
      response = await session.api.put<object>(session.selfPath('browsers', browserId, 'prompt-frequency'), { frequency, ...proof });
    } finally {
      key.secretKey.fill(0);
    }
    ctx.output.result(`Prompt frequency in browser ${browserId}: ${frequency} (${MEANING[frequency]}).`, { browserId, frequency, ...response });
  },
};
