import { ENVIRONMENT_VARIABLES } from '../../src/config/environment';

/** What the suite takes from the shell on purpose: which servers it runs the store adapters' suites against. */
const SUITE_CHOICES: readonly string[] = ['MONGODB_URL', 'EVENTSTORE_URL'];

/**
 * Removes from `env` the configuration of ztkeys that the shell running the tests exports (the
 * server's variables, a RATE_LIMIT_ of any name, the command-line client's ZTKEYS_), but the
 * suite's own choices; returns the names removed. Servers and tools the tests start in processes of
 * their own inherit this environment: an operator's LOG_LEVEL=warn hid the lines tests wait for,
 * and a WORKERS, PORT or ZTKEYS_TOKEN of theirs would change what a test runs.
 */
export function dropShellConfiguration(env: NodeJS.ProcessEnv): string[] {
  const ours = (name: string) => (ENVIRONMENT_VARIABLES as readonly string[]).includes(name) || name.startsWith('RATE_LIMIT_') || name.startsWith('ZTKEYS_');
  const dropped = Object.keys(env).filter((name) => ours(name) && !SUITE_CHOICES.includes(name));
  for (const name of dropped) delete env[name];
  return dropped.sort();
}
