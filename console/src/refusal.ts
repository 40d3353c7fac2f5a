/** The console stopped before sending anything (a check failed, or the user said no); its message is for the user. */
export class Refusal extends Error {}
