import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/**
 * Where ztkeys keeps profiles and key files: $ZTKEYS_HOME (unless empty or blank), else $XDG_CONFIG_HOME/ztkeys, else
 * ~/.config/ztkeys. A relative XDG_CONFIG_HOME is ignored, as the XDG spec says: it would name a
 * folder under wherever ztkeys runs.
 */
export function cliHome(env: Record<string, string | undefined>): string {
  // Blank counts as unset, as empty does (a script's ZTKEYS_HOME=$H with H unset): " " named a folder under wherever ztkeys runs.
  if (env.ZTKEYS_HOME?.trim()) return env.ZTKEYS_HOME;
  const config = env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : join(env.HOME || homedir(), '.config');
  return join(config, 'ztkeys');
}
