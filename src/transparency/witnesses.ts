import type { AppConfig } from '../config/app-config';
import { ConfigError } from '../config/config-error';
import { parseCosignerKey, type CosignerVerifier } from './cosignature';
import { InvalidNote } from './signed-note';
import { witnessGivenTwice } from './witness-quorum';
import { withoutPasswords } from '../shared/without-passwords';

/** A shared witness the server asks to cosign its checkpoints (README, Shared witness). */
export interface ConfiguredWitness {
  /** Its submission prefix, without a trailing slash: POST {url}/add-checkpoint. */
  url: string;
  key: CosignerVerifier;
}

/** WITNESSES: comma-separated entries, each a witness's http(s) URL and its verifier key separated by white space. */
export function loadWitnesses(config: Pick<AppConfig, 'witnesses' | 'witnessQuorum'>): ConfiguredWitness[] {
  const list = (config.witnesses ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry): ConfiguredWitness => {
      const [url, vkey, ...rest] = entry.split(/\s+/);
      if (vkey === undefined || rest.length > 0 || !URL.canParse(url) || !['http:', 'https:'].includes(new URL(url).protocol)) {
        throw new ConfigError(`WITNESSES holds "${withoutPasswords(entry)}": give each witness as "<http(s) URL> <its verifier key>", the entries separated by commas`);
      }
      // fetch refuses such a URL: never sent, it was logged at each submission instead.
      const { username, password } = new URL(url);
      if (username || password) throw new ConfigError(`WITNESSES holds "${withoutPasswords(url)}": a witness URL carries no user or password (they cannot be sent); give its URL alone`);
      try {
        return { url: url.replace(/\/+$/, ''), key: parseCosignerKey(vkey) };
      } catch (error) {
        if (error instanceof InvalidNote) throw new ConfigError(`WITNESSES holds "${vkey}", which is no witness verifier key: ${error.message}`);
        throw error;
      }
    });
  // One witness at two URLs (or the same entry twice) would cosign twice: its lines counted as two witnesses toward WITNESS_QUORUM.
  const twice = witnessGivenTwice(list.map((witness) => witness.key));
  if (twice)
    throw new ConfigError(
      `WITNESSES names ${twice.name} twice (${list.filter((witness) => witness.key.name === twice.name && witness.key.keyId === twice.keyId).map((witness) => withoutPasswords(witness.url)).join(' and ')}): a quorum counts each witness once; list it once`,
    );
  if (config.witnessQuorum > list.length) throw new ConfigError(`WITNESS_QUORUM (${config.witnessQuorum}) is more than the ${list.length} witness(es) of WITNESSES`);
  return list;
}
