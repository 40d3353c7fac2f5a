import { encodeBase64urlBytes } from '../../../src/crypto/base64url-bytes';
import { MIN_PASSPHRASE_LENGTH, newSecretKeyPair } from '../../../src/crypto/key-file-format';
import { codeView, field, h } from '../dom';
import { fingerprintOf, verificationCodeOf } from '../key-facts';
import { generateKeyPair, loadKeys, saveKeys, type BrowserKey, type Signer } from '../key-store';
import { downloadPortable, readPortable, sealPortable, signingKeyOf } from '../portable-key';
import { Refusal } from '../refusal';
import type { KeyRequestView } from '../../../src/cli/key-request-view';
import { sameVerificationCode } from '../../../src/crypto/verification-code-derivation';
import { settledKeys } from '../my-keys';
import { sign } from '../signing';
import type { Screen } from '../ui';

interface KeyRequestCreated {
  requestId: string;
  status: 'PENDING' | 'APPROVED';
  verificationCode: string;
  fingerprint: string;
  warning?: string;
}

const REPLACE_LABEL = 'Replace the active key this browser holds';

/** One key as this browser knows it, its code computed here and compared with the server's. */
async function keyCard(screen: Screen, title: string, key: BrowserKey): Promise<HTMLElement> {
  const { orgId, agentId } = screen.session;
  const code = await verificationCodeOf(orgId, agentId, key.publicKey);
  // An imported key file names no request: the server checks it at each signature instead.
  const request: Partial<KeyRequestView> = key.requestId
    ? await screen.api.get<KeyRequestView>(screen.api.orgPath('key-requests', key.requestId))
    : { status: 'IMPORTED' as KeyRequestView['status'], verificationCode: code, fingerprint: key.fingerprint };
  const same = sameVerificationCode(request.verificationCode ?? '', code) && request.fingerprint === key.fingerprint;
  const titleId = `key-${key.fingerprint.slice(0, 12)}-title`;
  return h(
    'section',
    { class: 'card', 'aria-labelledby': titleId },
    h('h2', { id: titleId }, title),
    h(
      'dl',
      {},
      h('dt', {}, 'Status'),
      h('dd', { 'data-testid': 'key-status' }, request.status ?? 'unknown'),
      h('dt', {}, 'Fingerprint'),
      h('dd', { class: 'mono' }, key.fingerprint),
      h('dt', {}, 'Verification code'),
      h('dd', { 'data-testid': 'verification-code' }, codeView(code)),
      h('dt', {}, 'Kept as'),
      h('dd', { 'data-testid': 'key-kind' }, 'portable' in key ? 'a portable key file, encrypted with your passphrase' : 'a key held by this browser, which cannot be exported'),
      h('dt', {}, 'Requested'),
      h('dd', {}, request.requestedAt ?? key.createdAt),
      ...(request.expiresAt ? [h('dt', {}, request.status === 'EXPIRED' ? 'Expired' : 'Expires'), h('dd', { 'data-testid': 'expires-at' }, request.expiresAt)] : []),
    ),
    !key.requestId
      ? h('p', { class: 'ok' }, 'Imported from a key file; code and fingerprint computed in this browser from its public key.')
      : same
      ? h('p', { class: 'ok' }, 'Computed in this browser from your key; the server shows the same code and fingerprint.')
      : h('p', { class: 'warn', role: 'alert' }, `The server shows code ${request.verificationCode} and fingerprint ${request.fingerprint}, not your key’s. Do not read out any code; tell your admin.`),
    request.status === 'PENDING' ? h('p', {}, 'Read this code out to the admin who approves it, in person or by phone (not by chat or email).') : null,
    'portable' in key
      ? h('button', { type: 'button', onclick: screen.act(async () => downloadPortable(key.portable)) }, 'Export my key as a portable file')
      : null,
  );
}

/** My key: create one in this browser, see its status and verification code. */
export async function myKeyScreen(screen: Screen): Promise<HTMLElement[]> {
  const { api, session } = screen;
  const { keys, ended } = await settledKeys(api);
  const kept = h('input', { type: 'radio', name: 'key-kind', id: 'key-kind-kept', value: 'kept', checked: true });
  const portable = h('input', { type: 'radio', name: 'key-kind', id: 'key-kind-portable', value: 'portable' });
  const passphrase = h('input', { type: 'password', name: 'new-passphrase', autocomplete: 'new-password', minlength: String(MIN_PASSPHRASE_LENGTH) });
  const again = h('input', { type: 'password', name: 'new-passphrase-again', autocomplete: 'new-password' });
  /** A kept key is made by WebCrypto, non-extractable; a portable one is sealed into a key file first, then used through WebCrypto. */
  const newKey = async (createdAt: string): Promise<{ signer: Signer; proofKey: CryptoKey; publicKey: string }> => {
    if (!portable.checked) {
      const { privateKey, rawPublicKey } = await generateKeyPair();
      return { signer: { privateKey }, proofKey: privateKey, publicKey: encodeBase64urlBytes(rawPublicKey) };
    }
    if ([...passphrase.value].length < MIN_PASSPHRASE_LENGTH)
      throw new Refusal(`A portable key needs a passphrase of at least ${MIN_PASSPHRASE_LENGTH} characters; nothing was created.`);
    if (passphrase.value !== again.value) throw new Refusal('The two passphrases differ; nothing was created.');
    const pair = await newSecretKeyPair();
    const file = await sealPortable(pair, session, passphrase.value, createdAt);
    return { signer: { portable: file }, proofKey: await signingKeyOf(pair.secretKey), publicKey: pair.publicKey };
  };
  const create = async (replacePending: boolean) => {
    const createdAt = new Date().toISOString();
    const { signer, proofKey, publicKey } = await newKey(createdAt);
    const fingerprint = await fingerprintOf(publicKey);
    const proof = await sign(api, { privateKey: proofKey }, { purpose: 'KEY_REQUEST', publicKey });
    const created = await api.post<KeyRequestCreated>(api.orgPath('key-requests'), { publicKey, ...proof, ...(replacePending ? { replacePending: true } : {}) });
    const key: BrowserKey = { ...signer, publicKey, fingerprint, requestId: created.requestId, createdAt };
    const current = await loadKeys(session.orgId, session.agentId);
    await saveKeys(session.orgId, session.agentId, created.status === 'APPROVED' ? { active: key } : { active: current.active, pending: key });
    screen.refresh();
    screen.notice(
      created.status === 'APPROVED'
        ? 'Your key is ACTIVE: it is the organization’s first key, approved at once.'
        : 'Your key request is PENDING: read the verification code out to an admin.',
    );
  };
  const importFile = h('input', { type: 'file', name: 'key-file', accept: '.json,application/json' });
  const replaceHeld = h('input', { type: 'checkbox', name: 'replace-active', id: 'replace-active' });
  const importKey = async () => {
    const chosen = importFile.files?.[0];
    if (!chosen) throw new Refusal('Choose the key file to import first.');
    const file = readPortable(await chosen.text(), chosen.name, session);
    const current = await loadKeys(session.orgId, session.agentId);
    // Anyone can seal a file naming this org and agent: it never replaces the key held here unasked (a kept one is lost for good).
    const held = current.active;
    if (held && held.fingerprint !== file.fingerprint && !replaceHeld.checked) {
      throw new Refusal(
        `This browser holds your active key ${held.fingerprint.slice(0, 16)}…${'privateKey' in held ? ', which cannot be exported: replaced, it is lost for good' : ''}; the file holds another key (${file.fingerprint.slice(0, 16)}…). Nothing was imported. Import it only if it is your ACTIVE key now (the server accepts no other key’s signatures), ticking “${REPLACE_LABEL}”.`,
      );
    }
    // The key is used as this agent's ACTIVE key; the server refuses its signatures unless it is.
    await saveKeys(session.orgId, session.agentId, { ...current, active: { portable: file, publicKey: file.publicKey, fingerprint: file.fingerprint, createdAt: file.createdAt } });
    screen.refresh();
    screen.notice(`Imported the key file of ${file.fingerprint.slice(0, 16)}…: it signs as your active key, with its passphrase.`);
  };
  const parts: HTMLElement[] = [h('h1', {}, 'My key')];
  if (ended)
    parts.push(
      h('p', { class: 'warn', 'data-testid': 'request-ended' }, `Your key request ${ended.requestId} was ${ended.status}. Its key was deleted from this browser; you may request a new one.`),
    );
  if (keys.active) parts.push(await keyCard(screen, 'Active key', keys.active));
  if (keys.pending) parts.push(await keyCard(screen, 'Requested key', keys.pending));
  if (!keys.active && !keys.pending) parts.push(h('p', {}, 'This browser holds no signature key of yours.'));
  parts.push(
    h(
      'fieldset',
      {},
      h('legend', {}, 'Where a new key is kept'),
      h('div', { class: 'radio' }, kept, h('label', { for: kept.id }, 'In this browser only: it cannot be read out or exported (recommended)')),
      h('div', { class: 'radio' }, portable, h('label', { for: portable.id }, 'Portable: encrypted with a passphrase, can be exported as a key file the CLI opens too')),
      field('Passphrase for a portable key', passphrase, `At least ${MIN_PASSPHRASE_LENGTH} characters; asked at each signature. Only for a portable key.`),
      field('Passphrase again', again),
    ),
    h(
      'div',
      { class: 'actions' },
      keys.pending
        ? h('button', { type: 'button', onclick: screen.act(() => create(true)) }, 'Replace my pending request with a new key')
        : h('button', { type: 'button', class: 'primary', onclick: screen.act(() => create(false)) }, keys.active ? 'Request a new key (key change)' : 'Create my key'),
      h('button', { type: 'button', onclick: () => screen.refresh() }, 'Refresh status'),
    ),
    h('p', { class: 'hint' }, 'A key kept in this browser is made by WebCrypto (Ed25519), cannot be read out, and never leaves this browser profile. A portable key is stored here encrypted, in the CLI’s key file format.'),
    h(
      'form',
      { 'aria-labelledby': 'import-title', onsubmit: (event) => (event.preventDefault(), screen.act(importKey)(event)) },
      h('h2', { id: 'import-title' }, 'Import a key file'),
      field('Key file', importFile, 'A key file of yours made by the CLI (ztkeys keys create) or exported from a console; its passphrase is asked when it signs.'),
      keys.active ? h('div', { class: 'radio' }, replaceHeld, h('label', { for: replaceHeld.id }, REPLACE_LABEL)) : null,
      h('button', { type: 'submit' }, 'Import key file'),
    ),
  );
  return parts;
}
