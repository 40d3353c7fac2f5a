import { createWriteStream } from 'node:fs';
import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
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
import type { NewEvent, RecordedEvent } from '../../src/event-store/event-store.port';
import { auditEntry } from '../../src/transparency/audit-entry';
import { eventLeafInput } from '../../src/transparency/event-leaf';
import { checkpointEvent, checkpointStream } from '../../src/transparency/log-checkpointer';
import { CompactRange, leafHash } from '../../src/transparency/merkle-tree';
import type { NoteSigner } from '../../src/transparency/signed-note';

export interface AuditExportOptions {
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
  /** Ed25519 signatures in the file: signed statements plus checkpoint notes. */
  signatures: number;
}

/** Milliseconds between two commands of the synthetic history (a few hundred commands/s). */
const COMMAND_STEP_MS = 3;
const ORG = 'bench-org';
const ADMIN = 'alice';
const BROWSER = 'laptop';

interface Key {
  publicKey: string;
  privateKey: KeyObject;
}

function newKey(): Key {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { publicKey: publicKey.export({ format: 'jwk' }).x as string, privateKey };
}

type AnyDecider = Pick<Decider<never, unknown, LogEvent>, 'initialState' | 'evolve'>;

/**
 * The log of one org written as its audit export (src/application/queries/read-queries.ts:
 * each event's audit record, orgId stripped, one JSON line) with the org's signed checkpoints,
 * from commands decided by the domain's own deciders, enveloped as the event writer does and
 * checkpointed by the checkpointer's own `checkpointEvent`: what a real export of that history
 * holds, without HTTP and a store between (which the other benches measure).
 */
class ExportLog {
  private readonly out;
  private readonly revisions = new Map<string, bigint>();
  private readonly states = new Map<string, unknown>();
  private readonly tree = CompactRange.empty();
  private position = 0n;
  private signedSize = 0;
  checkpoints = 0;
  signatures = 0;

  constructor(
    file: string,
    private readonly options: AuditExportOptions,
  ) {
    this.out = createWriteStream(file);
  }

  get size(): number {
    return this.tree.size;
  }

  state<S>(stream: string, decider: Pick<Decider<never, S, LogEvent>, 'initialState'>): S {
    return (this.states.get(stream) as S | undefined) ?? decider.initialState;
  }

  /** Appends one command's decisions as the event writer does: one occurredAt, each stream's next revisions. */
  async commit(context: CommandContext, ...decisions: Array<{ stream: string; decider: AnyDecider; events: readonly LogEvent[] }>): Promise<void> {
    for (const { stream, decider, events } of decisions) {
      for (const event of envelope(events, context)) {
        this.states.set(stream, decider.evolve(this.state(stream, decider), event as LogEvent));
        const recorded = this.record(stream, event) as RecordedEvent<LogEvent>;
        this.tree.append(leafHash(eventLeafInput(recorded)));
        this.signatures += 'proof' in event.data || 'decision' in event.data ? 1 : 0;
      }
    }
    if (this.tree.size - this.signedSize >= this.options.checkpointEvery) await this.checkpoint(context.now);
  }

  async checkpoint(at: Date): Promise<void> {
    this.record(checkpointStream(ORG), checkpointEvent(this.options.logKey, ORG, this.tree, at));
    this.signedSize = this.tree.size;
    this.checkpoints += 1;
    this.signatures += 1;
    if (this.out.writableNeedDrain) await once(this.out, 'drain');
  }

  async close(): Promise<void> {
    this.out.end();
    await once(this.out, 'finish');
  }

  private record(stream: string, event: NewEvent): RecordedEvent {
    const revision = (this.revisions.get(stream) ?? -1n) + 1n;
    this.revisions.set(stream, revision);
    const recorded = { ...event, stream, revision, position: this.position++ } as RecordedEvent;
    const { orgId: _orgId, ...line } = auditEntry(recorded as RecordedEvent<LogEvent>);
    this.out.write(`${JSON.stringify(line)}\n`);
    return recorded;
  }
}

/**
 * An org's history: its SUPER_ADMIN's first key; `agents` members added, each requesting a key
 * (with its public-key claim) that the admin approves with a signed decision, and setting a DAILY
 * prompt in their browser (signed); then sensitive tasks round after round, every other round
 * signed and the others REMEMBERED; a checkpoint every `checkpointEvery` events and at the end.
 */
export async function writeAuditExport(file: string, options: AuditExportOptions): Promise<AuditExportSummary> {
  const log = new ExportLog(file, options);
  let clock = Date.parse('2026-01-01T00:00:00.000Z');
  const context = (actor: string): CommandContext => {
    const commandId = randomUUID();
    return { actor, orgId: ORG, correlationId: commandId, commandId, now: new Date((clock += COMMAND_STEP_MS)) };
  };
  const proof = (agentId: string, key: Key, binding: ChallengeBinding): SignedProof => {
    const issuedAt = clock - 1000;
    const challenge = { ...binding, orgId: ORG, agentId, nonce: randomUUID(), issuedAt: new Date(issuedAt).toISOString(), expiresAt: new Date(issuedAt + 300_000).toISOString() };
    const statement = challengeStatement(challenge);
    return { challengeId: randomUUID(), challenge, statement, signature: sign(null, Buffer.from(statement), key.privateKey).toString('base64url') };
  };
  const actorOf = (agentId: string): ActorContext => {
    const org = log.state(orgStream(ORG), organizationDecider);
    return { agentId, role: org.agents.get(agentId)!.role, activeKey: log.state(agentStream(ORG, agentId), keyDecider).active };
  };
  const requestKey = async (agentId: string, key: Key): Promise<string> => {
    const ctx = context(agentId);
    const requestId = newRequestId(agentId);
    const org = log.state(orgStream(ORG), organizationDecider);
    const keys = log.state(agentStream(ORG, agentId), keyDecider);
    const { events } = keyDecider.decide(
      {
        type: 'RequestKey', orgId: ORG, requester: actorOf(agentId), requestId, publicKey: key.publicKey, replacePending: false,
        proof: proof(agentId, key, { purpose: 'KEY_REQUEST', publicKey: key.publicKey }), org: { policy: org.policy, firstKeyAssigned: org.firstKey !== undefined }, now: ctx.now.toISOString(),
      },
      keys,
    );
    const requested = events.find((event) => event.type === 'KeyRequested')!.data as { fingerprint: string };
    const firstKey = events.some((event) => event.type === 'KeyApproved');
    const claimStream = publicKeyStream(ORG, requested.fingerprint);
    const claim = publicKeyDecider.decide({ type: 'ClaimPublicKey', fingerprint: requested.fingerprint, agentId, requestId }, log.state(claimStream, publicKeyDecider)).events;
    const orgEvents = firstKey ? organizationDecider.decide({ type: 'AssignFirstKey', agentId, requestId }, org).events : [];
    await log.commit(
      ctx,
      { stream: agentStream(ORG, agentId), decider: keyDecider as AnyDecider, events },
      { stream: claimStream, decider: publicKeyDecider as AnyDecider, events: claim },
      { stream: orgStream(ORG), decider: organizationDecider as AnyDecider, events: orgEvents },
    );
    return requestId;
  };
  const decide = async <C, S, E extends LogEvent>(actor: string, stream: string, decider: Decider<C, S, E>, command: (now: string) => C): Promise<void> => {
    const ctx = context(actor);
    const { events } = decider.decide(command(ctx.now.toISOString()), log.state(stream, decider));
    await log.commit(ctx, { stream, decider: decider as unknown as AnyDecider, events });
  };

  await decide('operator', orgStream(ORG), organizationDecider, (): OrganizationCommand => ({
    type: 'CreateOrganization', orgId: ORG, name: 'Bench', policy: DEFAULT_ORG_POLICY, superAdmin: { agentId: ADMIN, email: 'alice@example.com', displayName: 'Alice' },
  }));
  const adminKey = newKey();
  await requestKey(ADMIN, adminKey);
  const keys: Key[] = [];
  for (let i = 0; i < options.agents; i++) {
    const agentId = `agent${i}`;
    await decide(ADMIN, orgStream(ORG), organizationDecider, (): OrganizationCommand => ({ type: 'AddAgent', actorId: ADMIN, agent: { agentId, email: `${agentId}@example.com`, displayName: agentId }, role: 'MEMBER' }));
    const key = newKey();
    keys.push(key);
    const requestId = await requestKey(agentId, key);
    const request = log.state(agentStream(ORG, agentId), keyDecider).requests.get(requestId)!;
    await decide(ADMIN, agentStream(ORG, agentId), keyDecider, (now): KeyCommand => ({
      type: 'ApproveKey', orgId: ORG, requestId, approver: actorOf(ADMIN), verificationCode: request.verificationCode, requesterRole: 'MEMBER', policy: DEFAULT_ORG_POLICY, approvers: new Set([ADMIN]), activeApprovers: 1, now,
      proof: proof(ADMIN, adminKey, { purpose: 'KEY_DECISION', requestId, requesterPublicKey: key.publicKey, decision: 'APPROVE' }),
    }));
    await decide(agentId, browserStream(ORG, agentId, BROWSER), browserDecider, (now): BrowserCommand => ({
      type: 'SetPromptFrequency', orgId: ORG, agentId, browserId: BROWSER, role: 'MEMBER', frequency: 'DAILY', activeKey: actorOf(agentId).activeKey, now,
      proof: proof(agentId, key, { purpose: 'PROMPT_FREQUENCY', browserId: BROWSER, frequency: 'DAILY' }),
    }));
  }
  for (let i = 0; log.size < options.events; i++) {
    const n = i % options.agents;
    const agentId = `agent${n}`;
    const task = `task-${i}`;
    const signed = Math.floor(i / options.agents) % 2 === 0;
    await decide(agentId, browserStream(ORG, agentId, BROWSER), browserDecider, (now): BrowserCommand => ({
      type: 'AuthorizeSensitiveTask', orgId: ORG, agentId, browserId: BROWSER, role: 'MEMBER', task, activeKey: actorOf(agentId).activeKey, now,
      ...(signed && { proof: proof(agentId, keys[n], { purpose: 'SENSITIVE_TASK', browserId: BROWSER, task }) }),
    }));
  }
  await log.checkpoint(new Date(clock));
  await log.close();
  return { events: log.size, checkpoints: log.checkpoints, signatures: log.signatures };
}
