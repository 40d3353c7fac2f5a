import { createHash } from 'node:crypto';
import { DEFAULT_ORG_POLICY } from '../../../src/domain/organization/org-policy';
import { LOG_ACTOR, OPERATOR_ACTOR } from '../../../src/domain/shared/actor';
import { checkpointOrigin, signCheckpoint, timestampLine } from '../../../src/transparency/checkpoint';
import { leafInput, type LeafRecord } from '../../../src/transparency/event-leaf';
import { CompactRange, leafHash } from '../../../src/transparency/merkle-tree';
import { signerFromSeed, type NoteSigner } from '../../../src/transparency/signed-note';

export const LOG_SIGNER = signerFromSeed('test.local/audit-log', Buffer.alloc(32, 3));
const T0 = Date.parse('2026-12-01T00:00:00.000Z');

/**
 * An org's NDJSON export written line by line, as the server exports it: its creation with its
 * SUPER_ADMIN alice, then as many directory changes as asked, bob added and removed by alice in
 * turn (a replay state that does not grow), and signed
 * checkpoints of any size the tree has had, placed where asked. Each line goes to `emit` (kept in
 * `lines` by default): a long export need not be held. The org is `acme` unless another id is
 * given (a console test's export must be of the signed-in org).
 */
export class SyntheticExport {
  readonly lines: string[] = [];
  private count = 0;
  private readonly tree = CompactRange.empty();
  private readonly roots = [this.tree.root()];
  private readonly revisions = new Map<string, number>();
  private bobAdded = false;
  private events = 0;
  /** False once leaves went unhashed: no root is known past them. */
  private hashed = true;

  constructor(
    private readonly emit: (line: string) => void = (line) => this.lines.push(line),
    private readonly org = 'acme',
  ) {
    this.event(`org-${this.org}`, OPERATOR_ACTOR, 'OrganizationCreated', { orgId: this.org, name: 'Acme', policy: DEFAULT_ORG_POLICY, superAdminId: 'alice' });
    this.event(`org-${this.org}`, OPERATOR_ACTOR, 'AgentAdded', { agentId: 'alice', email: 'alice@acme.test', displayName: 'Alice', role: 'SUPER_ADMIN' });
  }

  get size(): number {
    return this.events;
  }

  /** `count` directory changes, bob added then removed; with `keepRoots` false they are not even hashed (fast): checkpoints may then sign only sizes before them. */
  directoryChanges(count: number, keepRoots = true): this {
    for (let i = 0; i < count; i += 1) {
      if (this.bobAdded) this.event(`org-${this.org}`, 'alice', 'AgentRemoved', { agentId: 'bob', role: 'MEMBER' }, keepRoots);
      else this.event(`org-${this.org}`, 'alice', 'AgentAdded', { agentId: 'bob', email: 'bob@acme.test', displayName: 'Bob', role: 'MEMBER' }, keepRoots);
      this.bobAdded = !this.bobAdded;
    }
    return this;
  }

  /** A checkpoint of the tree at `size` (its size now by default), signed by the log key (or another, as after a rotation). */
  checkpoint(size = this.size, signer: NoteSigner = LOG_SIGNER): this {
    const at = new Date(T0 + this.count);
    const rootHash = this.roots[size];
    if (rootHash === undefined) throw new Error(`no root of size ${size} was kept`);
    const note = signCheckpoint({ origin: checkpointOrigin(signer.name, this.org), size, rootHash, extensions: [timestampLine(at)] }, signer);
    this.write(this.record(`checkpoint-${this.org}`, LOG_ACTOR, 'CheckpointSigned', { size, note }, at));
    return this;
  }

  /** The export as a file's text. */
  text(): string {
    return this.lines.map((line) => `${line}\n`).join('');
  }

  private event(stream: string, actor: string, type: string, data: Record<string, unknown>, keepRoot = true): void {
    const record = this.record(stream, actor, type, data, new Date(T0 + this.count));
    this.events += 1;
    if (keepRoot) {
      if (!this.hashed) throw new Error('no root is known after leaves that were not hashed');
      this.tree.append(leafHash(leafInput(record)));
      this.roots[this.tree.size] = this.tree.root();
    } else this.hashed = false;
    this.write(record);
  }

  private write(record: LeafRecord): void {
    this.count += 1;
    this.emit(JSON.stringify(record));
  }

  private record(stream: string, actor: string, type: string, data: Record<string, unknown>, at: Date): LeafRecord {
    const revision = (this.revisions.get(stream) ?? -1) + 1;
    this.revisions.set(stream, revision);
    // Each org's ids its own, as the log's are: two exports in one file give no id twice.
    const eventId = `0193c3a0-${createHash('sha256').update(this.org).digest('hex').slice(0, 4)}-7000-8000-${String(this.count).padStart(12, '0')}`;
    const subject = typeof data.agentId === 'string' ? data.agentId : null;
    return { eventId, type, schemaVersion: 1, stream, revision, actor, subject, occurredAt: at.toISOString(), correlationId: eventId, causationId: eventId, data: data as LeafRecord['data'] };
  }
}
