import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { BrowserCommand } from '../../domain/browser/browser.commands';
import { browserDecider } from '../../domain/browser/browser.decider';
import type { PromptFrequency } from '../../domain/browser/browser.events';
import { revisionNamed, type BrowserState } from '../../domain/browser/browser.state';
import { decode } from '../../domain/events/decode';
import { BROWSER_EVENTS } from '../../domain/events/event-catalogue';
import { fold } from '../../domain/shared/decider';
import { refuse } from '../../domain/shared/refusal';
import { holdsNoKey } from '../../domain/shared/roles';
import { browserStream } from '../../domain/streams';
import { EVENT_STORE, type EventStore, type ExpectedRevision } from '../../event-store/event-store.port';
import type { CommandContext } from '../command-context';
import { retryOnConflict } from '../conflict-retry';
import { Directory } from '../directory';
import { decided, EventWriter, guard, recordedAt } from '../event-writer';
import { type IdempotencyKey, KeyedCommand, positionOf } from '../idempotency';
import { Proofs } from '../proofs';
import { StreamStates } from '../stream-states';
import { limitKey } from '../../rate-limits/limit-key';
import { RateLimits } from '../../rate-limits/rate-limits';

export type BrowserAction =
  | { kind: 'setPromptFrequency'; frequency: PromptFrequency; challengeId: string; signature: string }
  | { kind: 'logout' }
  | { kind: 'authorizeTask'; task: string; challengeId?: string; signature?: string };

export interface BrowserActionResult {
  position: bigint;
  /** The task authorized, for authorizeTask (a refused task is thrown, once recorded). */
  authorization?: BrowserState['lastAuthorization'];
}

/**
 * R10, R11: what an agent does in one of their browsers. Only the agent themself may. A task or a
 * prompt frequency sent with an Idempotency-Key is recorded once, however often it is sent.
 */
export class BrowserActionCommand extends Command<BrowserActionResult> {
  constructor(
    readonly context: CommandContext,
    readonly agentId: string,
    readonly browserId: string,
    readonly action: BrowserAction,
    readonly idempotency?: IdempotencyKey,
  ) {
    super();
  }
}

/** The operation a keyed action's ids are derived from: keys are the caller's own, in each browser, for each operation. */
const KEYED_OPERATIONS: Record<Exclude<BrowserAction['kind'], 'logout'>, string> = {
  authorizeTask: 'authorize-sensitive-task',
  setPromptFrequency: 'set-prompt-frequency',
};

@CommandHandler(BrowserActionCommand)
export class BrowserActionHandler implements ICommandHandler<BrowserActionCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly directory: Directory,
    private readonly states: StreamStates,
    private readonly proofs: Proofs,
    private readonly writer: EventWriter,
    private readonly limits: RateLimits,
  ) {}

  async execute({ context, agentId, browserId, action, idempotency }: BrowserActionCommand): Promise<BrowserActionResult> {
    if (agentId !== context.actor) refuse('FORBIDDEN', 'NOT_SELF', 'Only the agent themself may act in their browsers.');
    const spendOrgBudget = this.limits.orgBudget('browser_actions_per_org', context.orgId);
    const proof =
      action.kind === 'logout' || action.challengeId === undefined
        ? undefined
        : await this.proofs.open(action.challengeId, action.signature ?? '');
    // What a keyed task or change records is named after (caller, browser, key): the id its event carries.
    const keyed =
      idempotency && action.kind !== 'logout' ? new KeyedCommand(`${KEYED_OPERATIONS[action.kind]}\n${context.orgId}\n${agentId}\n${browserId}`, idempotency) : undefined;
    return retryOnConflict(async (freshSince) => {
      const { org, actor, keys } = await this.directory.actor(context.orgId, agentId, freshSince);
      const browser = await this.states.load(browserStream(context.orgId, agentId, browserId), browserDecider, freshSince);
      // A retry of a keyed request that was recorded answers as it did, before its spent challenge or a closed window is looked at;
      // unless its caller may no longer act in a browser (now an AUDITOR): decided anew, it is refused as any of their requests.
      const earlier = keyed && !holdsNoKey(actor.role) ? revisionNamed(browser.state, keyed.resourceId) : undefined;
      if (keyed && earlier !== undefined) return this.replay(browser.stream, BigInt(earlier), keyed, freshSince);
      // Every new browser grows the admins' status document: an agent adds only so many per window.
      if (browser.expected === 'no_stream') await this.limits.consume('new_browsers_per_agent', limitKey('new_browsers_per_agent', { orgId: context.orgId, agentId }));
      // Decided at the time it is recorded (the last event's of the browser stream or of a stream it relied on, if this instance's clock is behind it): a
      // REMEMBERED task is granted only within its window then, a signature is checked and opens its window then, as the offline verifier decides them.
      // A task or prompt change is recorded only while the agent is still a member with this ACTIVE key, a logout
      // only while they are still a member and no AUDITOR (R17, R18): a change of either meanwhile decides it anew.
      const read = action.kind === 'logout' ? [guard(org)] : [guard(org), guard(keys)];
      const base = { orgId: context.orgId, agentId, browserId, role: actor.role, now: recordedAt(context.now, [browser], read) };
      const command: BrowserCommand =
        action.kind === 'logout'
          ? { type: 'LogOutOfBrowser', ...base }
          : action.kind === 'setPromptFrequency'
            ? { type: 'SetPromptFrequency', ...base, frequency: action.frequency, proof: proof!, activeKey: actor.activeKey, changeId: keyed?.resourceId }
            : { type: 'AuthorizeSensitiveTask', ...base, task: action.task, proof, activeKey: actor.activeKey, authorizationId: keyed?.resourceId };
      const { events, refusal } = browserDecider.decide(command, browser.state);
      // Spent by a member acting in their own browser (a recorded refusal too), never by another caller.
      await spendOrgBudget();
      // A refusal binds nothing to the key: recorded (a task's) under fresh ids, the same request is decided anew.
      const writing = keyed && !refusal ? { ...context, eventId: keyed.eventId } : context;
      // Only a logout of a browser already logged out writes nothing: it answers where that logout was recorded.
      const position = (await this.writer.write(writing, decided(browser, events), ...read)) ?? (await this.lastPosition(browser.stream, browser.expected, freshSince));
      if (refusal) throw refusal.with({ position: String(position) });
      // Two keyed requests at once append the same ids once: each answers what the log recorded.
      if (keyed) return this.replay(browser.stream, BigInt(browser.state.nextRevision), keyed);
      return { position, authorization: fold(browserDecider, events, browser.state).lastAuthorization };
    });
  }

  /**
   * A keyed request's answer, rebuilt from the event its request recorded at `revision` (or, for
   * another request with the key, a 422), whatever befell the browser since.
   */
  private async replay(stream: string, revision: bigint, keyed: KeyedCommand, freshSince?: number): Promise<BrowserActionResult> {
    const own = keyed.ownEvents(await this.store.readStream(stream, revision, { freshSince }));
    const recorded = decode(own[0], BROWSER_EVENTS);
    if (recorded.type !== 'SensitiveTaskAuthorized') return { position: positionOf(own) };
    const { task, method, validUntil } = recorded.data;
    return { position: positionOf(own), authorization: { task, method, validUntil } };
  }

  private async lastPosition(stream: string, revision: ExpectedRevision, freshSince: number): Promise<bigint> {
    const [last] = typeof revision === 'bigint' ? await this.store.readStream(stream, revision, { freshSince }) : [];
    if (!last) throw new Error(`${stream} has no event at revision ${String(revision)}, which its state was folded from`);
    return last.position;
  }
}
