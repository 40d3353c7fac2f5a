import canonicalize from 'canonicalize';
import { browserDecider } from '../../domain/browser/browser.decider';
import type { BrowserEvent } from '../../domain/browser/browser.events';
import { effectiveFrequency, initialBrowserState, windowEnd, type BrowserState } from '../../domain/browser/browser.state';
import { roleOf } from '../../domain/organization/organization.state';
import type { ActiveKey } from '../../domain/shared/actor';
import { holdsNoKey } from '../../domain/shared/roles';
import { asDecided } from './as-decided';
import { violation } from './log-violation';
import type { ReplayedOrg } from './replayed-org';
import type { Decoded } from './replayed-event';
import { checkStatement } from './signed-statement';

/** The browser streams of one org, replayed: sensitive tasks signed, remembered and refused, prompt frequencies, logouts. */
export class BrowserReplay {
  private readonly browsers = new Map<string, BrowserState>();

  constructor(private readonly replayed: ReplayedOrg) {}

  replay(stream: string, agentId: string, browserId: string, event: Decoded<BrowserEvent>): void {
    this.replayed.settleRelease(event);
    if (event.data.agentId !== agentId || event.data.browserId !== browserId) {
      violation(`${event.type} is about agent "${event.data.agentId}" in browser "${event.data.browserId}" but is in the stream of "${agentId}" in "${browserId}"`);
    }
    // Only the agent themself acts in their browsers (the handler's NOT_SELF).
    if (event.actor !== agentId) violation(`${event.type} of "${agentId}" in browser "${browserId}" was recorded for "${event.actor}": agents act in their own browsers`);
    const state = this.browsers.get(stream) ?? initialBrowserState;
    if (event.type === 'PromptFrequencyChanged' && event.data.reason === 'LOGOUT') {
      // Written without guarding the directory before 2026-12-08 (the server guards it since): a
      // removal or role change could come between its read and its append, so a log of then may hold
      // one after it; it is decided as the member it was then, so that such a log still verifies.
      const role = roleOf(this.replayed.org, agentId);
      const command = { type: 'LogOutOfBrowser' as const, orgId: this.replayed.orgId, agentId, browserId, role: role === undefined || holdsNoKey(role) ? 'MEMBER' : role, now: event.occurredAt };
      asDecided(event, `the logout of "${agentId}" from browser "${browserId}"`, () => browserDecider.decide(command, state).events);
    }
    if (event.type === 'PromptFrequencyChanged' && event.data.reason === 'SET') {
      const { proof, keyFingerprint, signedAt, browserId: browser, frequency } = event.data;
      const key = this.replayed.requireActive(agentId, keyFingerprint, 'changed a prompt frequency');
      signedBeforeRecorded(event, signedAt);
      checkStatement(event, proof, { purpose: 'PROMPT_FREQUENCY', orgId: this.replayed.orgId, agentId, browserId: browser, frequency }, key, state.usedNonces, signedAt);
      // The setting it replaced, as the decider records it: the one that held for that key (R10).
      const before = effectiveFrequency(state, key);
      if (event.data.previous !== before) violation(`${event.type}: the prompt frequency of browser "${browser}" is recorded as changed from ${event.data.previous}, but it was ${before} there for that key`);
    }
    // decode refused a REMEMBERED authorization carrying a proof or signing time (its shape).
    if (event.type === 'SensitiveTaskAuthorized') {
      const key = this.replayed.requireActive(agentId, event.data.keyFingerprint, 'authorized a sensitive task');
      if (event.data.method === 'SIGNATURE') {
        const { proof, signedAt, browserId: browser, task } = event.data;
        signedBeforeRecorded(event, signedAt);
        checkStatement(event, proof, { purpose: 'SENSITIVE_TASK', orgId: this.replayed.orgId, agentId, browserId: browser, task }, key, state.usedNonces, signedAt);
        // The end of the window it opens, which readers take for the end of what it authorized (R11).
        const until = windowEnd(state, key, signedAt);
        if (event.data.validUntil !== until) {
          violation(
            `${event.type}: task "${task}" signed in browser "${browser}" at ${signedAt} is recorded with validUntil ${event.data.validUntil}, but the window that signature opens ends at ${until} (its prompt frequency for that key ${effectiveFrequency(state, key)})`,
          );
        }
      } else {
        this.remembered(event, state, key);
      }
    }
    if (event.type === 'SensitiveTaskRefused') this.refusedTask(event, state);
    this.browsers.set(stream, browserDecider.evolve(state, event));
  }

  /**
   * R11: a refused task records no proof. Decided without one, the browser decider gives its
   * reason (an AUDITOR, no ACTIVE key, no remembered window: PROMPT_REQUIRED), except that a proof
   * that did not verify under an ACTIVE key (INVALID_SIGNATURE) is refused wherever a key was ACTIVE.
   * Recorded only while the agent's role and key were those read (guarded), so they are the state's.
   */
  private refusedTask(event: Decoded<Extract<BrowserEvent, { type: 'SensitiveTaskRefused' }>>, state: BrowserState): void {
    const { agentId, browserId, task, reason } = event.data;
    const role = roleOf(this.replayed.org, agentId) ?? violation(`"${agentId}" was refused a sensitive task but is not in the org's directory`);
    const command = { type: 'AuthorizeSensitiveTask' as const, orgId: this.replayed.orgId, agentId, browserId, role, task, activeKey: this.replayed.keys.get(agentId)?.active, now: event.occurredAt };
    const [unsigned] = browserDecider.decide(command, state).events;
    const unsignedReason = unsigned?.type === 'SensitiveTaskRefused' ? unsigned.data.reason : undefined;
    const keyHeld = unsignedReason !== 'AUDITOR_CANNOT_HOLD_KEY' && unsignedReason !== 'NO_ACTIVE_KEY';
    if (reason === unsignedReason || (reason === 'INVALID_SIGNATURE' && keyHeld)) return;
    violation(`${event.type}: task "${task}" of "${agentId}" in browser "${browserId}" is recorded as refused for ${reason}, but the browser decider ${unsignedReason ? `refuses it there for ${unsignedReason}` : 'authorizes it there without a signature'}${keyHeld ? ' (or, for a signature that did not verify, INVALID_SIGNATURE)' : ''}`);
  }

  /**
   * R10, R11: no signature is recorded with a REMEMBERED authorization, so what stands behind it is
   * the browser's state: it is the one the browser decider decides at the event's time for that
   * task sent without a signature, by that agent with their role and ACTIVE key then (within the
   * window of the last signature made in that browser with that key, at the frequency that key
   * set, until that window's end).
   */
  private remembered(event: Decoded<Extract<BrowserEvent, { type: 'SensitiveTaskAuthorized' }>>, state: BrowserState, key: ActiveKey): void {
    const { agentId, browserId, task, authorizationId } = event.data;
    const role = roleOf(this.replayed.org, agentId) ?? violation(`"${agentId}" authorized a sensitive task but is not in the org's directory`);
    // The verifier read occurredAt only in the log's one form, the one the decider reads (isoInstant).
    const command = { type: 'AuthorizeSensitiveTask' as const, orgId: this.replayed.orgId, agentId, browserId, role, task, activeKey: key, now: event.occurredAt, authorizationId };
    const { events, refusal } = browserDecider.decide(command, state);
    const recorded = `task "${task}" is recorded as REMEMBERED in browser "${browserId}" at ${event.occurredAt}`;
    if (refusal) {
      const last = state.lastSignature;
      violation(
        `${event.type}: ${recorded}, but the browser decider refuses it there (${refusal.code}): ${last ? `the last signature remembered in this browser is key ${last.keyFingerprint}'s at ${last.at}` : 'no signature is remembered in this browser'}, its prompt frequency for that key ${effectiveFrequency(state, key)}`,
      );
    }
    if (canonicalize(events) !== canonicalize([{ type: event.type, data: event.data }])) {
      violation(`${event.type}: ${recorded} with ${canonicalize(event.data)}, but the browser decider decides ${canonicalize(events[0]?.data)} there`);
    }
  }
}

/**
 * A signature made in a browser is recorded at the time the server took it at (`signedAt`, the
 * command's time) or later: the event's time is that time, or its stream's last event's when later
 * (recordedAt). Its challenge is checked at `signedAt`, so a signing time moved past the event's
 * would move the remembered window it opens (R11) while its challenge was still alive.
 */
function signedBeforeRecorded(event: Decoded<{ type: string }>, signedAt: string): void {
  if (Date.parse(signedAt) > Date.parse(event.occurredAt)) violation(`${event.type}: signed at ${signedAt}, after ${event.occurredAt}, when it is recorded`);
}
