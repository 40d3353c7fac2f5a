import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { BrowserCommand } from '../../domain/browser/browser.commands';
import { browserDecider } from '../../domain/browser/browser.decider';
import type { PromptFrequency } from '../../domain/browser/browser.events';
import type { BrowserState } from '../../domain/browser/browser.state';
import { fold } from '../../domain/shared/decider';
import { refuse } from '../../domain/shared/refusal';
import { browserStream } from '../../domain/streams';
import { EVENT_STORE, type EventStore, type ExpectedRevision } from '../../event-store/event-store.port';
import type { CommandContext } from '../command-context';
import { retryOnConflict } from '../conflict-retry';
import { Directory } from '../directory';
import { decided, EventWriter, guard } from '../event-writer';
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

/** R10, R11: what an agent does in one of their browsers. Only the agent themself may. */
export class BrowserActionCommand extends Command<BrowserActionResult> {
  constructor(
    readonly context: CommandContext,
    readonly agentId: string,
    readonly browserId: string,
    readonly action: BrowserAction,
  ) {
    super();
  }
}

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

  async execute({ context, agentId, browserId, action }: BrowserActionCommand): Promise<BrowserActionResult> {
    if (agentId !== context.actor) refuse('FORBIDDEN', 'NOT_SELF', 'Only the agent themself may act in their browsers.');
    const proof =
      action.kind === 'logout' || action.challengeId === undefined
        ? undefined
        : await this.proofs.open(action.challengeId, action.signature ?? '');
    return retryOnConflict(async (freshSince) => {
      const { org, actor, keys } = await this.directory.actor(context.orgId, agentId, freshSince);
      const browser = await this.states.load(browserStream(context.orgId, agentId, browserId), browserDecider, freshSince);
      // Every new browser grows the admins' status document: an agent adds only so many per window.
      if (browser.expected === 'no_stream') await this.limits.consume('new_browsers_per_agent', limitKey('new_browsers_per_agent', { orgId: context.orgId, agentId }));
      const base = { orgId: context.orgId, agentId, browserId, role: actor.role, now: context.now.toISOString() };
      const command: BrowserCommand =
        action.kind === 'logout'
          ? { type: 'LogOutOfBrowser', ...base }
          : action.kind === 'setPromptFrequency'
            ? { type: 'SetPromptFrequency', ...base, frequency: action.frequency, proof: proof!, activeKey: actor.activeKey }
            : { type: 'AuthorizeSensitiveTask', ...base, task: action.task, proof, activeKey: actor.activeKey };
      const { events, refusal } = browserDecider.decide(command, browser.state);
      // A task or prompt change is recorded only while the agent is still a member with this ACTIVE key (R17).
      const read = action.kind === 'logout' ? [] : [guard(org), guard(keys)];
      // Only a logout of a browser already logged out writes nothing: it answers where that logout was recorded.
      const position = (await this.writer.write(context, decided(browser, events), ...read)) ?? (await this.lastPosition(browser.stream, browser.expected, freshSince));
      if (refusal) throw refusal.with({ position: String(position) });
      return { position, authorization: fold(browserDecider, events, browser.state).lastAuthorization };
    });
  }

  private async lastPosition(stream: string, revision: ExpectedRevision, freshSince: number): Promise<bigint> {
    const [last] = typeof revision === 'bigint' ? await this.store.readStream(stream, revision, { freshSince }) : [];
    if (!last) throw new Error(`${stream} has no event at revision ${String(revision)}, which its state was folded from`);
    return last.position;
  }
}
