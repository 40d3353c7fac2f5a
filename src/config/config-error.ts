/**
 * A configuration the process cannot run with (an environment variable, a file in DATA_DIR): the
 * process stops with its message, which names the variable or file and why, and no stack.
 */
export class ConfigError extends Error {}
