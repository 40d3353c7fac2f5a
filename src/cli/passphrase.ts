import { MIN_PASSPHRASE_LENGTH } from '../crypto/key-file-format';
import { usageError } from './cli-error';
import type { CliContext } from './cli-context';
import { readSecret } from './secret-input';

/** For automation; a file descriptor (--passphrase-fd) is safer: the environment of a process can be read by its owner's other processes. */
export const PASSPHRASE_ENV = 'ZTKEYS_PASSPHRASE';
/** The shared rule (src/crypto/key-file-format.ts): the web console refuses the same short passphrases. */
export { MIN_PASSPHRASE_LENGTH };

const source = (ctx: CliContext, what: string, confirm: boolean) => ({
  what,
  option: 'passphrase',
  ...ctx.globals.passphrase,
  envName: PASSPHRASE_ENV,
  confirm,
});

/** The passphrase that will encrypt a new key: typed twice, at least MIN_PASSPHRASE_LENGTH characters. */
export async function askNewPassphrase(ctx: CliContext): Promise<string> {
  const passphrase = await readSecret(source(ctx, 'new passphrase for your signature key', true), ctx.io);
  if ([...passphrase].length < MIN_PASSPHRASE_LENGTH)
    throw usageError(`The passphrase must have at least ${MIN_PASSPHRASE_LENGTH} characters; nothing was created.`);
  return passphrase;
}

/** The passphrase of an existing key, named by its fingerprint so the user knows which one. */
export function askPassphrase(ctx: CliContext, fingerprint: string): Promise<string> {
  return readSecret(source(ctx, `passphrase of signature key ${fingerprint.slice(0, 16)}…`, false), ctx.io);
}
