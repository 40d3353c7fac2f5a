import { sameVerificationCode, verificationCode } from '../../crypto/verification-code';
import { onOneLineShown, sentence } from '../../shared/hidden-characters';
import { AgentSession } from '../agent-session';
import { isProblem } from '../api-client';
import { CliError, checkFailed } from '../cli-error';
import { EXIT } from '../exit-codes';
import type { CommandSpec } from '../command-spec';
import { sealKey } from '../key-file';
import { formatFields } from '../output';
import { askNewPassphrase } from '../passphrase';
import { generateKeyPair } from '../signature-key';
import type { components } from '../api-types.generated';

type KeyRequestCreated = components['schemas']['KeyRequestCreatedView'];

export const keysCreateCommand: CommandSpec = {
  path: ['keys', 'create'],
  summary: 'Generate your Ed25519 signature key, encrypt it with a passphrase, and request its approval',
  details: `The passphrase is asked twice on the terminal (never echoed), or read from --passphrase-fd or
ZTKEYS_PASSPHRASE. The private key is stored only encrypted (scrypt N=2^17 r=8 p=1, AES-256-GCM),
mode 0600, and never leaves this machine. Prints the verification code to read out to your admin.`,
  options: {
    'replace-pending': { type: 'boolean', description: 'cancel your pending request and make this one instead' },
  },
  async run(input, ctx) {
    const session = AgentSession.open(ctx);
    const { orgId, agentId } = session.profile;
    await session.settleUnanswered();
    const passphrase = await askNewPassphrase(ctx);
    const key = await generateKeyPair();
    // Stored before the request: a key the server knows must never exist only in memory.
    session.keys.save(await sealKey(key, { orgId, agentId }, passphrase, ctx.now()));
    let created: KeyRequestCreated;
    try {
      created = await session.requestKey(key, input.flags['replace-pending'] === true);
    } catch (error) {
      // The server's detail names the API's member; a ztkeys user needs the option.
      if (isProblem(error, 'REQUEST_PENDING')) {
        const pending = error.problem.pendingRequestId;
        throw new CliError(
          EXIT.REFUSED,
          `You already have a PENDING key request${typeof pending === 'string' ? sentence` (${pending})` : ''}: it waits for an admin. ` +
            'To cancel it and request a new key instead, run: ztkeys keys create --replace-pending',
          error.details,
        );
      }
      throw error;
    } finally {
      key.secretKey.fill(0);
    }

    // The code to read out is computed here, from this key: the server's display is only compared.
    const code = verificationCode(orgId, agentId, key.publicKey);
    if (created.warning) ctx.output.warn(onOneLineShown(created.warning));
    ctx.output.result(
      [
        created.status === 'APPROVED'
          ? sentence`Key request ${created.requestId} is APPROVED: the organization's first key, active at once.`
          : sentence`Key request ${created.requestId} is PENDING: an admin must approve it.`,
        formatFields([
          ['fingerprint', key.fingerprint],
          ['verification code', code],
          ['key file', session.keys.pathOf(key.fingerprint)],
        ]),
        created.status === 'PENDING'
          ? 'Read the verification code out to the admin who approves it, in person or by phone (not by chat or email).'
          : '',
      ]
        .filter(Boolean)
        .join('\n'),
      { ...created, verificationCode: code, serverVerificationCode: created.verificationCode, keyFile: session.keys.pathOf(key.fingerprint) },
    );
    if (created.fingerprint !== key.fingerprint || !sameVerificationCode(created.verificationCode, code))
      throw checkFailed(
        sentence`The server registered fingerprint ${created.fingerprint} with code ${created.verificationCode}, not your key's ${key.fingerprint} and ${code}. ` +
          'Read out only the code above, and tell your admin: the server may have been tampered with.',
      );
  },
};
