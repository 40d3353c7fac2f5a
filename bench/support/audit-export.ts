import { createWriteStream } from 'node:fs';
import { randomUUID, sign, type KeyObject } from 'node:crypto';
import { once } from 'node:events';
import { envelope, type CommandContext } from '../../src/application/command-context';
import { newRequestId } from '../../src/application/request-ids';
import { challengeStatement } from '../../src/crypto/statement';
import type { BrowserCommand } from '../../src/domain/browser/browser.commands';
import { browserDecider } from '../../src/domain/browser/browser.decider';
import type { LogEvent } from '../../src/domain/events/event-catalogue';
import type { OrganizationCommand } from '../../src/domain/organization/organization.commands';
import { organizationDecider } from '../../src/domain/organization/organization.decider';
import { DEFAULT_ORG_POLICY } from '../../src/domain/organization/org-policy';
import { publicKeyDecider } from '../../src/domain/public-key/public-key.decider';
import type { ActorContext } from '../../src/domain/shared/actor';
import type { ChallengeBinding } from '../../src/domain/shared/challenge-purposes';
import type { Decider } from '../../src/domain/shared/decider';
import type { SignedProof } from '../../src/domain/shared/signed-proof';
import type { KeyCommand } from '../../src/domain/signature-key/key.commands';
import { keyDecider } from '../../src/domain/signature-key/key.decider';
import { agentStream, browserStream, orgStream, publicKeyStream } from '../../src/domain/streams';
import { ed25519KeyPair } from '../../test/support/ed25519-key-pair';
import type { EventStore, NewEvent, RecordedEvent, StreamWrite } from '../../src/event-store/event-store.port';
import { auditEntry } from '../../src/transparency/audit-entry';
import { eventLeafInput } from '../../src/transparency/event-leaf';
import { checkpointEvent } from '../../src/transparency/log-checkpointer';
import { checkpointStream } from '../../src/domain/streams';
import { CompactRange, leafHash } from '../../src/transparency/merkle-tree';
import type { NoteSigner } from '../../src/transparency/signed-note';

export interface AuditExportOptions {
  /** The org's id; "bench-org" when absent. */
  orgId?: string;
  /** Events of the org's tree (checkpoints not counted) to write at least. */
  events: number;
  /** Members besides the SUPER_ADMIN, each with an approved key and one browser. */
  agents: number;
  /** A signed checkpoint after every this many events: the checkpointer's default 2 s at half that many commands/s. */
  checkpointEvery: number;
  logKey: NoteSigner;
}

export interface AuditExportSummary {
  /** Events of the tree, checkpoints apart. */
  events: number;
  checkpoints: number;
  /** Ed25519 signatures in the history: signed statements plus checkpoint notes. */
  signatures: number;
}

/** Milliseconds between two commands of the synthetic history (a few hundred commands/s). */
const COMMAND_STEP_MS = 3;
const ADMIN = 'alice';
const BROWSER = 'laptop';

interface Key {
  publicKey: string;
  privateKey: KeyObject;
}

const newKey = (): Key => ed25519KeyPair();

type AnyDecider = Pick<Decider<never, unknown, LogEvent>, 'initialState' | 'evolve'>;

/** Each command's events (or one checkpoint), recorded: written together, in log order. */
export type HistorySink = (events: RecordedEvent[]) => Promise<void>;

/**
 * The log of one org from commands decided by the domain's own deciders, enveloped as the event
 * writer does and checkpointed by the checkpointer's own `checkpointEvent`: each command's
 * events go to the sink together, with their streams' next revisions and positions from 0.
 */
class OrgHistory {
  private readonly revisions = new Map<string, bigint>();
  private readonly states = new Map<string, unknown>();
  private readonly tree = CompactRange.empty();
  private position = 0n;
  private signedSize = 0;
  checkpoints = 0;
  signatures = 0;

  constructor(
    private readonly sink: HistorySink,
    private readonly orgId: string,
    private readonly options: AuditExportOptions,
  ) {}

  get size(): number {
    return this.tree.size;
  }

  state<S>(stream: string, decider: Pick<Decider<never, S, LogEvent>, 'initialState'>): S {
    return (this.states.get(stream) as S | undefined) ?? decider.initialState;
  }

  /** Appends one command's decisions as the event writer does: one occurredAt, each stream's next revisions. */
  async commit(context: CommandContext, ...decisions: Array<{ stream: string; decider: AnyDecider; events: readonly LogEvent[] }>): Promise<void> {
    const recorded: RecordedEvent[] = [];
    for (const { stream, decider, events } of decisions) {
      for (const event of envelope(events, context)) {
        this.states.set(stream, decider.evolve(this.state(stream, decider), event as LogEvent));
        const record = this.record(stream, event);
        recorded.push(record);
        this.tree.append(leafHash(eventLeafInput(record as RecordedEvent<LogEvent>)));
        this.signatures += 'proof' in event.data || 'decision' in event.data ? 1 : 0;
      }
    }
    if (recorded.length > 0) await this.sink(recorded);
    if (this.uncovered >= this.options.checkpointEvery) await this.checkpoint(context.now);
  }

  /** Events after the last checkpoint. */
  get uncovered(): number {
    return this.tree.size - this.signedSize;
  }

  async checkpoint(at: Date): Promise<void> {
    await this.sink([this.record(checkpointStream(this.orgId), checkpointEvent(this.options.logKey, this.orgId, this.tree, at))]);
    this.signedSize = this.tree.size;
    this.checkpoints += 1;
    this.signatures += 1;
  }

  private record(stream: string, event: NewEvent): RecordedEvent {
    const revision = (this.revisions.get(stream) ?? -1n) + 1n;
    this.revisions.set(stream, revision);
    return { ...event, stream, revision, position: this.position++ };
  }
}

/** A sink writing the export's lines (src/application/queries/read-queries.ts: each event's audit record, orgId stripped, one JSON line). */
function exportFile(file: string): { sink: HistorySink; close(): Promise<void> } {
  const out = createWriteStream(file);
  return {
    sink: async (events) => {
      for (const event of events) {
        const { orgId: _orgId, ...line } = auditEntry(event as RecordedEvent<LogEvent>);
        out.write(`${JSON.stringify(line)}\n`);
      }
      if (out.writableNeedDrain) await once(out, 'drain');
    },
    close: async () => {
      out.end();
      await once(out, 'finish');
    },
  };
}

/**
 * A sink appending each command's events to the store in one append, with each stream's
 * expected revision, as the event writer does; up to `inFlight` appends are queued at once, so
 * the store's group commit takes many a transaction.
 */
export function eventStoreSink(store: Pick<EventStore, 'append'>, inFlight = 256): { sink: HistorySink; flush(): Promise<void> } {
  const pending = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  const rethrow = () => {
    if (failure) throw failure.error;
  };
  return {
    sink: async (events) => {
      rethrow();
      const writes = new Map<string, StreamWrite>();
      for (const { stream, revision, position: _position, ...event } of events) {
        const write = writes.get(stream) ?? { stream, expected: revision === 0n ? 'no_stream' : revision - 1n, events: [] };
        write.events.push(event);
        writes.set(stream, write);
      }
      const appended: Promise<void> = store.append([...writes.values()]).then(
        () => void pending.delete(appended),
        (error: unknown) => {
          failure ??= { error };
          pending.delete(appended);
        },
      );
      pending.add(appended);
      if (pending.size >= inFlight) await Promise.race(pending);
      rethrow();
    },
    flush: async () => {
      await Promise.all(pending);
      rethrow();
    },
  };
}

/**
 * An org's history: its SUPER_ADMIN's first key; `agents` members added, each requesting a key
 * (with its public-key claim) that the admin approves with a signed decision, and setting a DAILY
 * prompt in their browser (signed); then sensitive tasks round after round, every other round
 * signed and the others REMEMBERED; a checkpoint every `checkpointEvery` events and at the end.
 */
export async function writeOrgHistory(sink: HistorySink, options: AuditExportOptions): Promise<AuditExportSummary> {
  const orgId = options.orgId ?? 'bench-org';
  const log = new OrgHistory(sink, orgId, options);
  let clock = Date.parse('2026-01-01T00:00:00.000Z');
  const context = (actor: string): CommandContext => {
    const commandId = randomUUID();
    return { actor, orgId, correlationId: commandId, commandId, now: new Date((clock += COMMAND_STEP_MS)) };
  };
  const proof = (agentId: string, key: Key, binding: ChallengeBinding): SignedProof => {
    const issuedAt = clock - 1000;
    const challenge = { ...binding, orgId, agentId, nonce: randomUUID(), issuedAt: new Date(issuedAt).toISOString(), expiresAt: new Date(issuedAt + 300_000).toISOString() };
    const statement = challengeStatement(challenge);
    return { challengeId: randomUUID(), challenge, statement, signature: sign(null, Buffer.from(statement), key.privateKey).toString('base64url') };
  };
  const actorOf = (agentId: string): ActorContext => {
    const org = log.state(orgStream(orgId), organizationDecider);
    return { agentId, role: org.agents.get(agentId)!.role, activeKey: log.state(agentStream(orgId, agentId), keyDecider).active };
  };
  const requestKey = async (agentId: string, key: Key): Promise<string> => {
    const ctx = context(agentId);
    const requestId = newRequestId(agentId);
    const org = log.state(orgStream(orgId), organizationDecider);
    const keys = log.state(agentStream(orgId, agentId), keyDecider);
    const { events } = keyDecider.decide(
      {
        type: 'RequestKey', orgId, requester: actorOf(agentId), requestId, publicKey: key.publicKey, replacePending: false,
        proof: proof(agentId, key, { purpose: 'KEY_REQUEST', publicKey: key.publicKey }), org: { policy: org.policy, firstKeyAssigned: org.firstKey !== undefined }, now: ctx.now.toISOString(),
      },
      keys,
    );
    const requested = events.find((event) => event.type === 'KeyRequested')!.data as { fingerprint: string };
    const firstKey = events.some((event) => event.type === 'KeyApproved');
    const claimStream = publicKeyStream(orgId, requested.fingerprint);
    const claim = publicKeyDecider.decide({ type: 'ClaimPublicKey', fingerprint: requested.fingerprint, agentId, requestId }, log.state(claimStream, publicKeyDecider)).events;
    const orgEvents = firstKey ? organizationDecider.decide({ type: 'AssignFirstKey', agentId, requestId }, org).events : [];
    await log.commit(
      ctx,
      { stream: agentStream(orgId, agentId), decider: keyDecider as AnyDecider, events },
      { stream: claimStream, decider: publicKeyDecider as AnyDecider, events: claim },
      { stream: orgStream(orgId), decider: organizationDecider as AnyDecider, events: orgEvents },
    );
    return requestId;
  };
  const decide = async <C, S, E extends LogEvent>(actor: string, stream: string, decider: Decider<C, S, E>, command: (now: string) => C): Promise<void> => {
    const ctx = context(actor);
    const { events } = decider.decide(command(ctx.now.toISOString()), log.state(stream, decider));
    await log.commit(ctx, { stream, decider: decider as unknown as AnyDecider, events });
  };

  await decide('operator', orgStream(orgId), organizationDecider, (): OrganizationCommand => ({
    type: 'CreateOrganization', orgId, name: 'Bench', policy: DEFAULT_ORG_POLICY, superAdmin: { agentId: ADMIN, email: 'alice@example.com', displayName: 'Alice' },
  }));
  const adminKey = newKey();
  await requestKey(ADMIN, adminKey);
  const keys: Key[] = [];
  for (let i = 0; i < options.agents; i++) {
    const agentId = `agent${i}`;
    await decide(ADMIN, orgStream(orgId), organizationDecider, (): OrganizationCommand => ({ type: 'AddAgent', actorId: ADMIN, agent: { agentId, email: `${agentId}@example.com`, displayName: agentId }, role: 'MEMBER' }));
    const key = newKey();
    keys.push(key);
    const requestId = await requestKey(agentId, key);
    const request = log.state(agentStream(orgId, agentId), keyDecider).requests.get(requestId)!;
    await decide(ADMIN, agentStream(orgId, agentId), keyDecider, (now): KeyCommand => ({
      type: 'ApproveKey', orgId, requestId, approver: actorOf(ADMIN), verificationCode: request.verificationCode, requesterRole: 'MEMBER', policy: DEFAULT_ORG_POLICY, approverKeys: new Map(), activeApprovers: 1, now,
      proof: proof(ADMIN, adminKey, { purpose: 'KEY_DECISION', requestId, requesterPublicKey: key.publicKey, decision: 'APPROVE' }),
    }));
    await decide(agentId, browserStream(orgId, agentId, BROWSER), browserDecider, (now): BrowserCommand => ({
      type: 'SetPromptFrequency', orgId, agentId, browserId: BROWSER, role: 'MEMBER', frequency: 'DAILY', activeKey: actorOf(agentId).activeKey, now,
      proof: proof(agentId, key, { purpose: 'PROMPT_FREQUENCY', browserId: BROWSER, frequency: 'DAILY' }),
    }));
  }
  for (let i = 0; log.size < options.events; i++) {
    const n = i % options.agents;
    const agentId = `agent${n}`;
    const task = `task-${i}`;
    const signed = Math.floor(i / options.agents) % 2 === 0;
    await decide(agentId, browserStream(orgId, agentId, BROWSER), browserDecider, (now): BrowserCommand => ({
      type: 'AuthorizeSensitiveTask', orgId, agentId, browserId: BROWSER, role: 'MEMBER', task, activeKey: actorOf(agentId).activeKey, now,
      ...(signed && { proof: proof(agentId, keys[n], { purpose: 'SENSITIVE_TASK', browserId: BROWSER, task }) }),
    }));
  }
  // The last events, unless the last checkpoint covers them already: the checkpointer never signs one note twice, and the verifier refuses a repeat.
  if (log.uncovered > 0) await log.checkpoint(new Date(clock));
  return { events: log.size, checkpoints: log.checkpoints, signatures: log.signatures };
}

/** The org's history (writeOrgHistory) as its audit export would hold it, written to `file` without HTTP and a store between (which the other benches measure). */
export async function writeAuditExport(file: string, options: AuditExportOptions): Promise<AuditExportSummary> {
  const out = exportFile(file);
  const summary = await writeOrgHistory(out.sink, options);
  await out.close();
  return summary;
}
