import { encodeBase64url } from '../base64url';
import { codeView, h } from '../dom';
import { fingerprintOf, verificationCodeOf } from '../key-facts';
import { generateKeyPair, loadKeys, saveKeys, type BrowserKey } from '../key-store';
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

/** One key as this browser knows it, its code computed here and compared with the server's. */
async function keyCard(screen: Screen, title: string, key: BrowserKey): Promise<HTMLElement> {
  const { orgId, agentId } = screen.session;
  const code = await verificationCodeOf(orgId, agentId, key.publicKey);
  const request = await screen.api.get<KeyRequestView>(screen.api.orgPath('key-requests', key.requestId));
  const same = sameVerificationCode(request.verificationCode ?? '', code) && request.fingerprint === key.fingerprint;
  return h(
    'section',
    { class: 'card', 'aria-labelledby': `${key.requestId}-title` },
    h('h2', { id: `${key.requestId}-title` }, title),
    h(
      'dl',
      {},
      h('dt', {}, 'Status'),
      h('dd', { 'data-testid': 'key-status' }, request.status ?? 'unknown'),
      h('dt', {}, 'Fingerprint'),
      h('dd', { class: 'mono' }, key.fingerprint),
      h('dt', {}, 'Verification code'),
      h('dd', { 'data-testid': 'verification-code' }, codeView(code)),
      h('dt', {}, 'Requested'),
      h('dd', {}, request.requestedAt ?? key.createdAt),
    ),
    same
      ? h('p', { class: 'ok' }, 'Computed in this browser from your key; the server shows the same code and fingerprint.')
      : h('p', { class: 'warn', role: 'alert' }, `The server shows code ${request.verificationCode} and fingerprint ${request.fingerprint}, not your key’s. Do not read out any code; tell your admin.`),
    request.status === 'PENDING' ? h('p', {}, 'Read this code out to the admin who approves it, in person or by phone (not by chat or email).') : null,
  );
}

/** My key: create one in this browser, see its status and verification code. */
export async function myKeyScreen(screen: Screen): Promise<HTMLElement[]> {
  const { api, session } = screen;
  const { keys, ended } = await settledKeys(api);
  const create = async (replacePending: boolean) => {
    const { privateKey, rawPublicKey } = await generateKeyPair();
    const publicKey = encodeBase64url(rawPublicKey);
    const fingerprint = await fingerprintOf(publicKey);
    const proof = await sign(api, privateKey, { purpose: 'KEY_REQUEST', publicKey });
    const created = await api.post<KeyRequestCreated>(api.orgPath('key-requests'), { publicKey, ...proof, ...(replacePending ? { replacePending: true } : {}) });
    const key: BrowserKey = { privateKey, publicKey, fingerprint, requestId: created.requestId, createdAt: new Date().toISOString() };
    const current = await loadKeys(session.orgId, session.agentId);
    await saveKeys(session.orgId, session.agentId, created.status === 'APPROVED' ? { active: key } : { active: current.active, pending: key });
    screen.refresh();
    screen.notice(
      created.status === 'APPROVED'
        ? 'Your key is ACTIVE: it is the organization’s first key, approved at once.'
        : 'Your key request is PENDING: read the verification code out to an admin.',
    );
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
      'div',
      { class: 'actions' },
      keys.pending
        ? h('button', { type: 'button', onclick: screen.act(() => create(true)) }, 'Replace my pending request with a new key')
        : h('button', { type: 'button', class: 'primary', onclick: screen.act(() => create(false)) }, keys.active ? 'Request a new key (key change)' : 'Create my key'),
      h('button', { type: 'button', onclick: () => screen.refresh() }, 'Refresh status'),
    ),
    h('p', { class: 'hint' }, 'The private key is made by this browser (WebCrypto Ed25519), cannot be read out, and never leaves it. It is kept for this browser profile only.'),
  );
  return parts;
}
