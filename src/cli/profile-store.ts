import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { checkFailed, usageError } from './cli-error';
import { updatePrivateFile } from './private-file';
import { parseStored } from './stored-document';
import { LOG_POSITION } from '../shared/log-position';

/** A login: which server, as which agent of which org, with which token. */
export interface Profile {
  apiUrl: string;
  token: string;
  orgId: string;
  agentId: string;
}

interface ProfilesDocument {
  version: 1;
  profiles: Record<string, Profile>;
  /** The profile `profile use` chose, for commands without --profile or ZTKEYS_PROFILE. */
  current?: string;
  /** Highest event position a command returned, per server: reads wait for it (read your writes). */
  positions: Record<string, string>;
  /** The witness's memory: per server and org, the log key pinned at first sight and the last checkpoint seen (R16). */
  checkpoints?: Record<string, SeenCheckpoint>;
}

/** What the witness keeps of an org's log: its verifier key and the newest checkpoint note it accepted. */
export interface SeenCheckpoint {
  vkey: string;
  note: string;
}

/** What ztkeys writes to profiles.json; members it does not know (a later release's) are kept. */
const PROFILES_DOCUMENT = z.looseObject({
  version: z.literal(1),
  profiles: z.record(z.string(), z.looseObject({ apiUrl: z.string(), token: z.string(), orgId: z.string(), agentId: z.string() })),
  current: z.string().optional(),
  positions: z.record(z.string(), z.string()),
  checkpoints: z.record(z.string(), z.looseObject({ vkey: z.string(), note: z.string() })).optional(),
});

const witnessKey = (apiUrl: string, orgId: string): string => `${apiUrl} ${orgId}`;

const PROFILE_NAME = /^[A-Za-z0-9._-]{1,64}$/;

export function checkProfileName(name: string): string {
  if (!PROFILE_NAME.test(name)) throw usageError(`Profile name "${name}" is not valid: use 1 to 64 letters, digits, ".", "_" or "-".`);
  // Every object has these (a profile named __proto__ would be written nowhere): kept out of profiles.json.
  if (name in Object.prototype) throw usageError(`Profile name "${name}" is reserved: choose another.`);
  return name;
}

/** A stored profile by name: its own, never a member every object inherits (constructor, toString). */
const profileNamed = (profiles: Record<string, Profile>, name: string): Profile | undefined => (Object.hasOwn(profiles, name) ? profiles[name] : undefined);

/** profiles.json in the CLI home, mode 0600: it holds bearer tokens. */
export class ProfileStore {
  private readonly path: string;

  constructor(home: string) {
    this.path = join(home, 'profiles.json');
  }

  get(name: string): Profile | undefined {
    return profileNamed(this.read().profiles, name);
  }

  /** Every profile, by name. */
  all(): Readonly<Record<string, Profile>> {
    return this.read().profiles;
  }

  current(): string | undefined {
    return this.read().current;
  }

  /** Makes a stored profile the one used by default. */
  use(name: string): Profile {
    let used: Profile | undefined;
    this.update((document) => {
      used = profileNamed(document.profiles, name);
      if (!used) throw usageError(`No profile "${name}": the profiles are ${Object.keys(document.profiles).join(', ') || '(none: log in first)'}.`);
      document.current = name;
    });
    return used!;
  }

  save(name: string, profile: Profile): void {
    this.update((document) => {
      document.profiles[name] = profile;
      // A server reached anew may be a fresh one whose positions start over.
      delete document.positions[profile.apiUrl];
    });
  }

  /** One that is no position (written by a release before, from a hostile answer) is none: it would make every read refused. */
  lastPosition(apiUrl: string): string | undefined {
    const position = this.read().positions[apiUrl];
    return position !== undefined && LOG_POSITION.test(position) ? position : undefined;
  }

  recordPosition(apiUrl: string, position: string): void {
    if (!LOG_POSITION.test(position)) return;
    this.update((document) => {
      const known = document.positions[apiUrl];
      if (known !== undefined && LOG_POSITION.test(known) && BigInt(known) >= BigInt(position)) return false;
      document.positions[apiUrl] = position;
    });
  }

  /** Forgets the position remembered for a server if it is still `position`; true if it was. */
  forgetPosition(apiUrl: string, position: string): boolean {
    let forgotten = false;
    this.update((document) => {
      if (document.positions[apiUrl] !== position) return false;
      delete document.positions[apiUrl];
      forgotten = true;
    });
    return forgotten;
  }

  lastCheckpoint(apiUrl: string, orgId: string): SeenCheckpoint | undefined {
    return this.read().checkpoints?.[witnessKey(apiUrl, orgId)];
  }

  recordCheckpoint(apiUrl: string, orgId: string, seen: SeenCheckpoint): void {
    this.update((document) => {
      document.checkpoints = { ...document.checkpoints, [witnessKey(apiUrl, orgId)]: seen };
    });
  }

  private read(): ProfilesDocument {
    return this.parse(existsSync(this.path) ? readFileSync(this.path, 'utf8') : undefined);
  }

  private parse(text: string | undefined): ProfilesDocument {
    if (text === undefined) return { version: 1, profiles: {}, positions: {} };
    const read = parseStored<ProfilesDocument>(PROFILES_DOCUMENT, text);
    if ('problem' in read) throw checkFailed(`${this.path} is not a ztkeys profiles file (${read.problem}); move it away and log in again.`);
    return read.value;
  }

  /** Changes the document as it is now, another ztkeys may be changing it too; `change` returns false to leave it. */
  private update(change: (document: ProfilesDocument) => boolean | void): void {
    updatePrivateFile(this.path, (text) => {
      const document = this.parse(text);
      return change(document) === false ? undefined : `${JSON.stringify(document, null, 2)}\n`;
    });
  }
}
