import { ApiClient } from './api-client';
import { usageError } from './cli-error';
import { cliHome } from './cli-home';
import type { CliIo } from './cli-io';
import { Output } from './output';
import { ProfileStore, type Profile } from './profile-store';

const laterPosition = (a: string | undefined, b: string | undefined): string | undefined =>
  a === undefined || (b !== undefined && BigInt(b) > BigInt(a)) ? b : a;

/** Options every command takes. */
export interface GlobalOptions {
  profile: string;
  json: boolean;
  passphraseFd?: number;
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
    this.output = new Output(io, globals.json);
    this.home = cliHome(io.env);
    this.profiles = new ProfileStore(this.home);
  }

  /** The selected profile; not being logged in is a usage error. */
  requireProfile(): Profile {
    const profile = this.profiles.get(this.globals.profile);
    if (!profile)
      throw usageError(`Not logged in (profile "${this.globals.profile}"): run "ztkeys login --api <url>" first.`);
    return profile;
  }

  /** A client for a server, remembering positions so later reads see this machine's writes. */
  apiFor(apiUrl: string, token: string): ApiClient {
    return new ApiClient(apiUrl, token, {
      lastPosition: () => laterPosition(this.profiles.lastPosition(apiUrl), this.globals.minPosition),
      recordPosition: (position) => this.profiles.recordPosition(apiUrl, position),
    });
  }

  now(): string {
    return new Date().toISOString();
  }
}
