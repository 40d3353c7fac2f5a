/** R10: how often a browser asks for a signature. Its own file: challenge purposes bind it too. */
export const PROMPT_FREQUENCIES = ['EVERY_TASK', 'DAILY', 'WEEKLY'] as const;
export type PromptFrequency = (typeof PROMPT_FREQUENCIES)[number];
