/**
 * The environment for a server process a test starts on the embedded default: the runner's own,
 * less the URLs of the servers other suites use (a read-model store belongs to one event log).
 */
export function embeddedEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { MONGODB_URL: _m, REDIS_URL: _r, EVENTSTORE_URL: _e, SMTP_URL: _s, ...rest } = process.env;
  return { ...rest, ...extra };
}
