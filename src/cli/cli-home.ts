import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where ztkeys keeps profiles and key files: $ZTKEYS_HOME, else $XDG_CONFIG_HOME/ztkeys, else ~/.config/ztkeys. */
export function cliHome(env: Record<string, string | undefined>): string {
  if (env.ZTKEYS_HOME) return env.ZTKEYS_HOME;
  return join(env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config'), 'ztkeys');
}
