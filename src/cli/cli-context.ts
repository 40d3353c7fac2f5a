import { ApiClient, laterPosition, type TokenKind } from './api-client';
import { CliError, usageError } from './cli-error';
import { cliHome } from './cli-home';
import type { CliIo } from './cli-io';
import { Output } from './output';
import { EXIT } from './exit-codes';
import { answerBounds } from './answer-bounds';
import { checkNoOtherWriters } from './home-writers';
import { narrowHome } from './private-file';
import { ProfileStore, type Profile } from './profile-store';
import { hasExpired, tokenExpiresAt } from './token-claims';

/** Options every command takes. */
export interface GlobalOptions {
  /** --profile or ZTKEYS_PROFILE; when neither is given, the profile `profile use` chose, else "default". */
  profile?: string;
  json: boolean;
  /** --json=a,b: only these fields of the result. */
  jsonFields?: readonly string[];
  /** Where the key passphrase comes from: --passphrase-fd or --passphrase-file. */
  passphrase: { fd?: number; file?: string };
  /** Event position reads must wait for, besides this machine's own writes. */
  minPosition?: string;
}

/** What a command runs with: its I/O, the global options, and the CLI home. */
export class CliContext {
  readonly output: Output;
  readonly home: string;
  readonly profiles: ProfileStore;

  constructor(
    readonly io: CliIo,
    readonly globals: GlobalOptions,
  ) {
    this.output = new Output(io, globals.json, globals.jsonFields);
    this.home = cliHome(io.env);
    this.profiles = new ProfileStore(this.home);
    checkNoOtherWriters(this.home);
    const narrowed = narrowHome(this.home);
    if (narrowed.length > 0)
      this.output.warn(`Other users could read ${narrowed.join(', ')}; now only you can. If others use this machine, a token or key file may have been copied: get a new token (ztkeys login) and a new key (ztkeys keys create).`);
  }

  /** The name of the selected profile. */
  get profileName(): string {
    return this.globals.profile ?? this.profiles.current() ?? 'default';
  }

  /** The selected profile; not being logged in is a usage error, an expired token has its own exit code. */
  requireProfile(): Profile {
    const name = this.profileName;
    const profile = this.profiles.get(name);
    if (!profile) throw usageError(`Not logged in (profile "${name}"): run "ztkeys login --api <url>" first.`);
    const expiresAt = tokenExpiresAt(profile.token);
    if (hasExpired(expiresAt))
      throw new CliError(
        EXIT.TOKEN_EXPIRED,
        `The agent token of profile "${name}" (${profile.agentId}) expired at ${expiresAt}: get a new one and run "ztkeys login --api ${profile.apiUrl} --profile ${name}".`,
      );
    return profile;
  }

  /** A client for a server, remembering positions so later reads see this machine's writes; `tokenKind` says whose token it sends. */
  apiFor(apiUrl: string, token: string, tokenKind: TokenKind = 'agent'): ApiClient {
    return new ApiClient(apiUrl, token, {
      lastPosition: () => laterPosition(this.profiles.lastPosition(apiUrl), this.globals.minPosition),
      recordPosition: (position) => this.profiles.recordPosition(apiUrl, position),
      forgetPosition: (position) => {
        if (!this.profiles.forgetPosition(apiUrl, position)) return false;
        this.output.warn(
          `This machine remembered position ${position} as written at ${apiUrl}, past the end of its log: forgotten. The server may have been restored from an older copy, or an earlier answer from its address was not its own.`,
        );
        return true;
      },
    }, answerBounds(this.io.env), tokenKind);
  }

  now(): string {
    return new Date().toISOString();
  }
}
