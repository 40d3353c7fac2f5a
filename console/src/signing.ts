import { challengeRequestBody, statementMismatches, type Binding } from '../../src/domain/shared/statement-binding';
import { ApiProblem, type Api } from './api';
import { encodeBase64urlBytes } from '../../src/crypto/base64url-bytes';
import { field, h } from './dom';
import type { Signer } from './key-store';
import { unlockPortable } from './portable-key';
import { Refusal } from './refusal';
import { currentSession } from './session';

/** What a signed command carries. */
export interface ChallengeSignature {
  challengeId: string;
  signature: string;
}

const PURPOSE_TEXT: Record<Binding['purpose'], string> = {
  KEY_REQUEST: 'Request approval of this new key (proof that this browser holds it)',
  KEY_DECISION: 'Decide on a key request',
  PROMPT_FREQUENCY: 'Change how often this browser asks for your signature',
  SENSITIVE_TASK: 'Authorize a sensitive task',
  ORG_POLICY: 'Set the organization\'s lifecycle policy',
  RECOVERY_VETO: 'Veto a break-glass recovery of the organization',
};

/**
 * The console's "signature key" step: every signature waits for the user to confirm what exactly
 * it binds; a portable key also asks for its passphrase (a key kept in this browser has none: it
 * cannot leave it). Resolves to the passphrase typed ('' for a kept key), or undefined when declined.
 */
function confirmSignature(binding: Binding, portable: boolean): Promise<string | undefined> {
  const dialog = document.getElementById('sign-dialog') as HTMLDialogElement;
  const { purpose, ...bound } = binding;
  const passphrase = h('input', { type: 'password', name: 'passphrase', autocomplete: 'current-password' });
  return new Promise((resolve) => {
    const close = (answer: boolean) => () => {
      dialog.close();
      resolve(answer ? passphrase.value : undefined);
    };
    dialog.replaceChildren(
      h('h2', { id: 'sign-title' }, 'Sign with your key?'),
      h('p', {}, PURPOSE_TEXT[purpose]),
      h('dl', {}, ...Object.entries(bound).flatMap(([name, value]) => [h('dt', {}, name), h('dd', {}, String(value))])),
      h('p', { class: 'hint' }, 'The server’s challenge was checked: it binds exactly this, for you, and nothing else.'),
      portable ? field('Passphrase of your key file', passphrase) : h('span'),
      h('div', { class: 'actions' }, h('button', { type: 'button', class: 'primary', onclick: close(true) }, 'Sign'), h('button', { type: 'button', onclick: close(false) }, 'Cancel')),
    );
    dialog.addEventListener('cancel', close(false), { once: true });
    passphrase.addEventListener('keydown', (event) => event.key === 'Enter' && close(true)());
    dialog.showModal();
  });
}

/**
 * Gets a one-time challenge for the binding, refuses it unless it binds exactly that (the CLI's
 * own check), asks the user, and signs the statement's UTF-8 bytes.
 */
export async function sign(api: Api, signer: Signer, binding: Binding): Promise<ChallengeSignature> {
  const challenge = await api.post<{ challengeId?: unknown; statement?: unknown }>(api.orgPath('challenges'), challengeRequestBody(binding));
  if (typeof challenge?.challengeId !== 'string' || typeof challenge.statement !== 'string')
    throw new ApiProblem(200, undefined, 'The server answered the challenge request without a challengeId and statement.');
  const problems = statementMismatches(challenge.statement, api.session, binding, Date.now());
  if (problems.length > 0) throw new Refusal(`Refused to sign the server’s ${binding.purpose} challenge: ${problems.join('; ')}. Nothing was sent.`);
  // Asked after its agent logged out, the dialog would ask whoever signed in next to sign for them.
  if (currentSession()?.token !== api.session.token) throw new Refusal('Not signed: the session that asked has ended; nothing was sent.');
  const passphrase = await confirmSignature(binding, 'portable' in signer);
  if (passphrase === undefined) throw new Refusal('Not signed: nothing was sent.');
  const privateKey = 'portable' in signer ? await unlockPortable(signer.portable, passphrase) : signer.privateKey;
  const signature = await crypto.subtle.sign({ name: 'Ed25519' }, privateKey, new TextEncoder().encode(challenge.statement));
  return { challengeId: challenge.challengeId, signature: encodeBase64urlBytes(signature) };
}
