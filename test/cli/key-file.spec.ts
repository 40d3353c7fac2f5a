import { verifyEd25519 } from '../../src/crypto/ed25519-verify';
import { CliError } from '../../src/cli/cli-error';
import { EXIT } from '../../src/cli/exit-codes';
import { openKey, parseKeyFile, sealKey, SCRYPT_PARAMS, type KeyFile } from '../../src/cli/key-file';
import { generateKeyPair, signStatement, type UnlockedKey } from '../../src/cli/signature-key';

const owner = { orgId: 'org-1', agentId: 'alice' };
const PASSPHRASE = 'correct horse battery staple';

/** Through JSON text, as the file is written and read back. */
const roundTripText = (file: KeyFile): KeyFile => parseKeyFile(JSON.stringify(file), 'test.json');

const refusal = async (promise: Promise<unknown>): Promise<CliError> => {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(CliError);
  return error as CliError;
};

describe('encrypted key file', () => {
  let key: UnlockedKey;
  let file: KeyFile;
  let secret: Uint8Array;

  beforeAll(async () => {
    key = await generateKeyPair();
    secret = key.secretKey.slice();
    file = await sealKey(key, owner, PASSPHRASE, '2025-01-01T00:00:00.000Z');
  });

  it('opens with its passphrase to the same key, which signs verifiable statements', async () => {
    const opened = await openKey(roundTripText(file), PASSPHRASE);
    expect(Buffer.from(opened.secretKey).equals(Buffer.from(secret))).toBe(true);
    expect(opened.publicKey).toBe(key.publicKey);
    const signature = await signStatement(opened, '{"purpose":"KEY_REQUEST"}');
    expect(verifyEd25519(key.publicKey, '{"purpose":"KEY_REQUEST"}', signature)).toBe(true);
  });

  it('holds the secret key only encrypted, with strong scrypt parameters and a versioned format', () => {
    const text = JSON.stringify(file);
    for (const encoding of ['base64url', 'base64', 'hex'] as const) expect(text).not.toContain(Buffer.from(secret).toString(encoding));
    expect(text).not.toContain(PASSPHRASE);
    expect(file).toMatchObject({ format: 'ztkeys-signature-key', version: 1, kdf: { name: 'scrypt', ...SCRYPT_PARAMS }, cipher: { name: 'aes-256-gcm' } });
    expect(SCRYPT_PARAMS.N).toBeGreaterThanOrEqual(2 ** 17);
  });

  it('refuses a wrong passphrase with a clear error and exit code 5', async () => {
    const error = await refusal(openKey(file, `${PASSPHRASE}!`));
    expect(error.exitCode).toBe(EXIT.CHECK_FAILED);
    expect(error.message).toMatch(/^Wrong passphrase for the signature key /);
  });

  it('refuses a file whose owner was edited (the metadata is authenticated)', async () => {
    const edited = roundTripText({ ...file, agentId: 'mallory' });
    expect((await refusal(openKey(edited, PASSPHRASE))).exitCode).toBe(EXIT.CHECK_FAILED);
  });

  it('refuses other format versions and weakened or exhausting KDF parameters before any work', () => {
    const parse = (changed: object) => () => parseKeyFile(JSON.stringify({ ...file, ...changed }), 'k.json');
    expect(parse({ version: 2 })).toThrow(/version 2 is not supported/);
    expect(parse({ kdf: { ...file.kdf, N: 2 ** 10 } })).toThrow(/outside the accepted bounds/);
    expect(parse({ kdf: { ...file.kdf, N: 2 ** 24 } })).toThrow(/outside the accepted bounds/);
    expect(parse({ kdf: { ...file.kdf, N: 2 ** 20, r: 16 } })).toThrow(/outside the accepted bounds/); // 2 GiB
    expect(parse({ fingerprint: '00'.repeat(32) })).toThrow(/fingerprint does not match/);
    expect(() => parseKeyFile('not json', 'k.json')).toThrow(/not JSON/);
  });

  it('refuses an owner or creation time a reader would be misled by, before any work', () => {
    // Whoever hands a key file over chooses its text: the console shows createdAt and the owner as they are.
    const parse = (changed: object) => () => parseKeyFile(JSON.stringify({ ...file, ...changed }), 'k.json');
    expect(parse({ createdAt: 'verified by IT on 2025-01-01' })).toThrow(/createdAt is not an instant/);
    expect(parse({ createdAt: '2025-01-01T00:00:00.000Z'.padEnd(1_000_000) })).toThrow(/createdAt is not an instant/);
    expect(parse({ agentId: 'alice\u202e' })).toThrow(/agentId is not an id/);
    expect(parse({ orgId: 'o'.repeat(129) })).toThrow(/orgId is not an id/);
    expect(parse({ agentId: 'alice\nbob' })).toThrow(/agentId is not an id/);
    expect(roundTripText(file)).toEqual(file);
  });
});
