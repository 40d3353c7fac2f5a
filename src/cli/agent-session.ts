import { randomUUID } from 'node:crypto';
import { ApiError, type ApiClient } from './api-client';
import type { components } from './api-types.generated';
import { challengeRequestBody, type Binding } from '../domain/shared/statement-binding';
import { checkStatement } from './challenge-binding';
import { CliError, usageError } from './cli-error';
import type { CliContext } from './cli-context';
import { EXIT } from './exit-codes';
import { openKey } from './key-file';
import { KeyStore, type RetiredKey, type UnansweredRequest } from './key-store';
import { askPassphrase } from './passphrase';
import type { Profile } from './profile-store';
import { signStatement, type UnlockedKey } from './signature-key';
import { sentence } from '../shared/hidden-characters';

type KeyRequestCreated = components['schemas']['KeyRequestCreatedView'];

/**
 * A refusal after which the server holds nothing of a request: any 4xx but a token refused
 * (log in again, then send it again), a timeout or a rate limit (send it again later).
 */
const refusedForGood = (error: unknown): boolean => error instanceof ApiError && error.exitCode === EXIT.REFUSED && error.status !== 408 && error.status !== 429;

/** What a signed command carries. */
export interface ChallengeSignature {
  challengeId: string;
  signature: string;
}

/** The logged-in agent of the selected profile: its API paths, its local keys, its signatures. */
export class AgentSession {
  readonly api: ApiClient;
  readonly keys: KeyStore;

  constructor(
    readonly ctx: CliContext,
    readonly profile: Profile,
  ) {
    this.api = ctx.apiFor(profile.apiUrl, profile.token);
    this.keys = new KeyStore(ctx.home, profile);
  }

  static open(ctx: CliContext): AgentSession {
    return new AgentSession(ctx, ctx.requireProfile());
  }

  /** The path parameters of this agent's org. */
  get org(): { orgId: string } {
    return { orgId: this.profile.orgId };
  }

  /** The path parameters of one of this agent's browsers. */
  browser(browserId: string): { orgId: string; agentId: string; browserId: string } {
    return { orgId: this.profile.orgId, agentId: this.profile.agentId, browserId };
  }

  /**
   * Asks the passphrase of this agent's ACTIVE key and decrypts it. A pending replacement that
   * was decided since the last run is settled first: approved, it is the key to sign with now.
   */
  async unlockActiveKey(): Promise<UnlockedKey> {
    await this.settleUnanswered();
    await this.settlePending();
    const { active, pending: stillPending } = this.keys.index();
    if (!active)
      throw usageError(
        stillPending
          ? sentence`Your key ${stillPending.fingerprint} is waiting for approval (request ${stillPending.requestId}): there is no active key to sign with yet.`
          : `No signature key of ${this.profile.agentId} on this machine: run "ztkeys keys create" first.`,
      );
    const file = this.keys.load(active);
    return openKey(file, await askPassphrase(this.ctx, active));
  }

  /**
   * Requests approval of a new key whose file is saved: signs its KEY_REQUEST challenge, records
   * the request as unanswered, sends it. Until an answer comes, the key is kept: an interrupted
   * run, or one that gave up, must not delete a key the server may have recorded, and approve.
   */
  async requestKey(key: UnlockedKey, replacePending: boolean): Promise<KeyRequestCreated> {
    let request: UnansweredRequest;
    try {
      const proof = await this.sign(key, { purpose: 'KEY_REQUEST', publicKey: key.publicKey });
      request = { fingerprint: key.fingerprint, idempotencyKey: randomUUID(), body: { publicKey: key.publicKey, ...proof, ...(replacePending ? { replacePending } : {}) } };
    } catch (error) {
      this.keys.discard(key.fingerprint); // nothing was sent
      throw error;
    }
    this.keys.recordUnanswered(request);
    return this.sendKeyRequest(request);
  }

  /** Asks the server what became of this machine's pending key request, if any, and records it: approved, its key is the active key. */
  private async settlePending(): Promise<void> {
    const pending = this.keys.index().pending;
    if (!pending) return;
    const { status } = await this.api.ok(
      this.api.http.GET('/v1/orgs/{orgId}/key-requests/{requestId}', { params: { path: { ...this.org, requestId: pending.requestId } } }),
    );
    const settled = this.keys.settlePending(pending.requestId, status);
    if (!settled) return;
    this.ctx.output.info(
      status === 'APPROVED'
        ? sentence`Your key request ${pending.requestId} was approved: key ${pending.fingerprint} is now your active key.`
        : sentence`Your key request ${pending.requestId} ended (${status}); its key was deleted from this machine.`,
    );
    this.tellRetired(settled.retired);
  }

  /** Sends again a key request an earlier run got no answer to, and records the answer. */
  async settleUnanswered(): Promise<void> {
    const { unanswered } = this.keys.index();
    if (!unanswered) return;
    const what = `Your key request of key ${unanswered.fingerprint}, sent earlier without an answer,`;
    try {
      const { requestId, status } = await this.sendKeyRequest(unanswered);
      this.ctx.output.info(`${what} ${sentence`is request ${requestId} (${status}).`}`);
    } catch (error) {
      if (!refusedForGood(error)) throw error;
      this.ctx.output.info(`${what} was refused: its key was deleted from this machine. ${(error as Error).message}`);
    }
  }

  private async sendKeyRequest(request: UnansweredRequest): Promise<KeyRequestCreated> {
    let created: KeyRequestCreated;
    try {
      created = await this.api.idempotent(
        (headers) => this.api.http.POST('/v1/orgs/{orgId}/key-requests', { params: { path: this.org }, headers, body: request.body }),
        request.idempotencyKey,
      );
    } catch (error) {
      if (refusedForGood(error)) this.keys.dropUnanswered(request.fingerprint);
      else if (error instanceof CliError)
        throw new CliError(
          error.exitCode,
          `${error.message}\nThe server may have recorded your key request: key ${request.fingerprint} is kept, and the next ztkeys command that signs (or keys create) sends the very same request again to learn what became of it.`,
          error.details,
        );
      throw error;
    }
    // The request this machine had pending was cancelled by this one (--replace-pending), or approved since its last
    // run (this one then a key change, R8): asked, not assumed, since its key may be the ACTIVE one, never to be deleted.
    if (this.keys.index().pending?.fingerprint !== request.fingerprint) await this.settlePending();
    this.tellRetired(this.keys.recordRequest(request.fingerprint, created.requestId, created.status));
    return created;
  }

  /** Says where the replaced key's file is kept, and why it is not deleted. */
  private tellRetired(retired: RetiredKey | undefined): void {
    if (retired)
      this.ctx.output.info(
        `Your replaced key ${retired.fingerprint} is kept at ${retired.path} (mode 0600, under its passphrase): the server says it revoked it, which ztkeys cannot check. ` +
          'Delete that file once your new key signs.',
      );
  }

  /** Gets a challenge for the binding, refuses it unless it binds exactly that, and signs it. */
  async sign(key: UnlockedKey, binding: Binding): Promise<ChallengeSignature> {
    const challenge = await this.api.ok(this.api.http.POST('/v1/orgs/{orgId}/challenges', { params: { path: this.org }, body: challengeRequestBody(binding) }));
    if (typeof challenge?.challengeId !== 'string' || typeof challenge.statement !== 'string')
      throw new CliError(EXIT.SERVER, 'The server answered the challenge request without a challengeId and statement.');
    checkStatement(challenge.statement, this.profile, binding, Date.now());
    return { challengeId: challenge.challengeId, signature: await signStatement(key, challenge.statement) };
  }
}

