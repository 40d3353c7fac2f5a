/** A start that cannot succeed as configured: its message names the variable to fix, and no stack is printed. */
export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
  }
}
