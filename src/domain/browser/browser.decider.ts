import { checkChallenge, isSignedBy, recordProof, requireSignature } from '../shared/check-proof';
import { BROWSER_EVENTS } from '../events/event-catalogue';
import type { Decider, Outcome } from '../shared/decider';
import { DomainRefusal, type RefusalKind, refuse } from '../shared/refusal';
import { AUDITOR_HOLDS_NO_KEY, refuseAuditor } from '../shared/roles';
import { withUsedNonce } from '../shared/used-nonces';
import type { AuthorizeSensitiveTask, BrowserCommand, SetPromptFrequency } from './browser.commands';
import { REMEMBER_WINDOW_MS, type AuthorizedBy, type BrowserEvent, type SensitiveTaskRefused } from './browser.events';
import { effectiveFrequency, initialBrowserState, windowEnd, withNamed, type BrowserState } from './browser.state';
import { isoInstant } from '../../shared/iso-instant';

type TaskRefusalReason = SensitiveTaskRefused['data']['reason'];

const TASK_REFUSALS: Record<TaskRefusalReason, string> = {
  PROMPT_REQUIRED: 'A fresh signature is required: get a SENSITIVE_TASK challenge, sign it with your key and send it.',
  NO_ACTIVE_KEY: 'You have no ACTIVE key: request one and have it approved first.',
  INVALID_SIGNATURE: 'The signature does not verify under your ACTIVE key.',
  AUDITOR_CANNOT_HOLD_KEY: AUDITOR_HOLDS_NO_KEY,
};

/**
 * R10: a signed change; the signature counts as one made in this browser at `now`. Every refusal
 * here is thrown (no ACTIVE key: CONFLICT; bad proof: UNPROCESSABLE): a setting that did not
 * change is not an audited fact.
 */
function setPromptFrequency(command: SetPromptFrequency, state: BrowserState): BrowserEvent[] {
  const { orgId, agentId, browserId, frequency, proof, now, changeId } = command;
  refuseAuditor(command.role);
  const activeKey =
    command.activeKey ??
    refuse('CONFLICT', 'NO_ACTIVE_KEY', 'Changing the prompt frequency is signed with your ACTIVE key, and you have none.');
  checkChallenge(proof, { purpose: 'PROMPT_FREQUENCY', orgId, agentId, browserId, frequency }, now, state.usedNonces);
  requireSignature(proof, activeKey.publicKey, 'your ACTIVE key');
  return [
    {
      type: 'PromptFrequencyChanged',
      data: {
        agentId,
        browserId,
        frequency,
        previous: effectiveFrequency(state, activeKey),
        reason: 'SET',
        keyFingerprint: activeKey.fingerprint,
        proof: recordProof(proof, activeKey.publicKey),
        signedAt: now,
        ...(changeId === undefined ? undefined : { changeId }),
      },
    },
  ];
}

/**
 * R11. What the caller may fix by signing is a RECORDED refusal (audited, and answered 401 after
 * appending; promptRequired unless a signature cannot help): no ACTIVE key, a signature that does
 * not verify under the ACTIVE key (a revoked key's included), no signature outside the remembered
 * window. A proof that was never meant for this task (purpose, org, agent, browser, task, expiry,
 * replay) is thrown UNPROCESSABLE by checkChallenge and writes nothing. An AUDITOR is refused
 * (recorded, 403) whatever they present (R18).
 */
function authorizeSensitiveTask(command: AuthorizeSensitiveTask, state: BrowserState): Outcome<BrowserEvent> {
  const { orgId, agentId, browserId, task, proof, activeKey, now, authorizationId } = command;
  const refused = (reason: TaskRefusalReason, kind: RefusalKind = 'UNAUTHORIZED'): Outcome<BrowserEvent> => ({
    events: [{ type: 'SensitiveTaskRefused', data: { agentId, browserId, task, reason } }],
    refusal: new DomainRefusal(kind, reason, TASK_REFUSALS[reason], { promptRequired: reason === 'PROMPT_REQUIRED' || reason === 'INVALID_SIGNATURE' }),
  });
  if (command.role === 'AUDITOR') return refused('AUDITOR_CANNOT_HOLD_KEY', 'FORBIDDEN');
  if (!activeKey) return refused('NO_ACTIVE_KEY');
  const window = REMEMBER_WINDOW_MS[effectiveFrequency(state, activeKey)];
  // Fields first and the method's and id after, not `{ ...authorized, method, ... }`: on Node 20's V8
  // an object literal that starts with a spread and adds a property takes a new hidden class each time.
  const named = authorizationId === undefined ? undefined : { authorizationId };
  const authorized = (by: AuthorizedBy): Outcome<BrowserEvent> => ({
    events: [{ type: 'SensitiveTaskAuthorized', data: { agentId, browserId, task, keyFingerprint: activeKey.fingerprint, ...by, ...named } }],
  });
  if (proof) {
    checkChallenge(proof, { purpose: 'SENSITIVE_TASK', orgId, agentId, browserId, task }, now, state.usedNonces);
    if (!isSignedBy(proof, activeKey.publicKey)) return refused('INVALID_SIGNATURE');
    return authorized({ method: 'SIGNATURE', validUntil: windowEnd(state, activeKey, now), proof: recordProof(proof, activeKey.publicKey), signedAt: now });
  }
  const last = state.lastSignature;
  if (window > 0 && last?.keyFingerprint === activeKey.fingerprint && isoInstant(now) < isoInstant(last.at) + window) {
    return authorized({ method: 'REMEMBERED', validUntil: windowEnd(state, activeKey, last.at) });
  }
  return refused('PROMPT_REQUIRED');
}

/** One agent in one browser: prompt frequency (R10) and sensitive tasks (R11). */
export const browserDecider: Decider<BrowserCommand, BrowserState, BrowserEvent> = {
  initialState: initialBrowserState,
  events: BROWSER_EVENTS,

  decide(command, state) {
    switch (command.type) {
      case 'SetPromptFrequency':
        return { events: setPromptFrequency(command, state) };
      case 'LogOutOfBrowser':
        // An AUDITOR changes nothing, not even a browser setting (R18).
        refuseAuditor(command.role);
        if (state.loggedOut) return { events: [] };
        // `previous` is the stored setting: a logout carries no key to tell whether it still held.
        return {
          events: [
            {
              type: 'PromptFrequencyChanged',
              data: {
                agentId: command.agentId,
                browserId: command.browserId,
                frequency: 'EVERY_TASK',
                previous: state.frequency,
                reason: 'LOGOUT',
              },
            },
          ],
        };
      case 'AuthorizeSensitiveTask':
        return authorizeSensitiveTask(command, state);
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'PromptFrequencyChanged': {
        // A LOGOUT carries no key nor signature: it forgets both.
        const set = event.data.reason === 'SET' ? event.data : undefined;
        return {
          frequency: event.data.frequency,
          frequencyKeyFingerprint: set?.keyFingerprint,
          lastSignature: set ? { at: set.signedAt, keyFingerprint: set.keyFingerprint } : undefined,
          usedNonces: set ? withUsedNonce(state.usedNonces, set.proof.statement) : state.usedNonces,
          loggedOut: set === undefined,
          nextRevision: state.nextRevision + 1,
          named: withNamed(state, set?.changeId),
        };
      }
      case 'SensitiveTaskAuthorized': {
        const { keyFingerprint, task, method, validUntil, authorizationId } = event.data;
        // A REMEMBERED authorization is no new signature: the window does not move. Every field
        // written out, not `{ ...state, ... }` (see authorizeSensitiveTask).
        const signed = event.data.method === 'SIGNATURE' ? event.data : undefined;
        return {
          frequency: state.frequency,
          frequencyKeyFingerprint: state.frequencyKeyFingerprint,
          lastSignature: signed ? { at: signed.signedAt, keyFingerprint } : state.lastSignature,
          lastAuthorization: { task, method, validUntil },
          usedNonces: signed ? withUsedNonce(state.usedNonces, signed.proof.statement) : state.usedNonces,
          loggedOut: false,
          nextRevision: state.nextRevision + 1,
          named: withNamed(state, authorizationId),
        };
      }
      case 'SensitiveTaskRefused':
        return {
          frequency: state.frequency,
          frequencyKeyFingerprint: state.frequencyKeyFingerprint,
          lastSignature: state.lastSignature,
          lastAuthorization: state.lastAuthorization,
          usedNonces: state.usedNonces,
          loggedOut: state.loggedOut,
          nextRevision: state.nextRevision + 1,
          named: state.named,
        };
    }
  },
};
