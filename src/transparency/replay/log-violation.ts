/** A rule of the log that an event breaks: the verifier reports the first one, with its place. */
export class LogViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LogViolation';
  }
}

export const violation = (message: string): never => {
  throw new LogViolation(message);
};
