import type { ApiClient } from './api-client';
import { challengeRequestBody, type Binding } from '../domain/shared/statement-binding';
import { checkStatement } from './challenge-binding';
import { CliError, usageError } from './cli-error';
import type { CliContext } from './cli-context';
import { EXIT } from './exit-codes';
import { openKey } from './key-file';
import { KeyStore } from './key-store';
import { askPassphrase } from './passphrase';
import type { Profile } from './profile-store';
import { signStatement, type UnlockedKey } from './signature-key';

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
    const pending = this.keys.index().pending;
    if (pending) {
      const { status } = await this.api.ok(
        this.api.http.GET('/v1/orgs/{orgId}/key-requests/{requestId}', { params: { path: { ...this.org, requestId: pending.requestId } } }),
      );
      if (this.keys.settlePending(status))
        this.ctx.output.info(
          status === 'APPROVED'
            ? `Your key request ${pending.requestId} was approved: key ${pending.fingerprint} is now your active key.`
            : `Your key request ${pending.requestId} ended (${status}); its key was deleted from this machine.`,
        );
    }
    const { active, pending: stillPending } = this.keys.index();
    if (!active)
      throw usageError(
        stillPending
          ? `Your key ${stillPending.fingerprint} is waiting for approval (request ${stillPending.requestId}): there is no active key to sign with yet.`
          : `No signature key of ${this.profile.agentId} on this machine: run "ztkeys keys create" first.`,
      );
    const file = this.keys.load(active);
    return openKey(file, await askPassphrase(this.ctx, active));
  }

  /** Gets a challenge for the binding, refuses it unless it binds exactly that, and signs it. */
  async sign(key: UnlockedKey, binding: Binding): Promise<ChallengeSignature> {
    const challenge = await this.api.ok(this.api.http.POST('/v1/orgs/{orgId}/challenges', { params: { path: this.org }, body: challengeRequestBody(binding) }));
    if (typeof challenge?.challengeId !== 'string' || typeof challenge.statement !== 'string')
      throw new CliError(EXIT.SERVER, 'The server answered the challenge request without a challengeId and statement.');
    checkStatement(challenge.statement, this.profile, binding);
    return { challengeId: challenge.challengeId, signature: await signStatement(key, challenge.statement) };
  }
}

