import type { ApiClient } from './api-client';
import { challengeRequestBody, checkStatement, type Binding } from './challenge-binding';
import { CliError, usageError } from './cli-error';
import type { CliContext } from './cli-context';
import { EXIT } from './exit-codes';
import { openKey } from './key-file';
import { KeyStore } from './key-store';
import { askPassphrase } from './passphrase';
import type { Profile } from './profile-store';
import { signStatement, type UnlockedKey } from './signature-key';

/** A challenge as POST .../challenges answers it. */
interface Challenge {
  challengeId: string;
  statement: string;
  expiresAt: string;
}

/** What a signed command carries. */
export interface ChallengeSignature {
  challengeId: string;
  signature: string;
}

const segment = (value: string): string => encodeURIComponent(value);

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

  /** /v1/orgs/{orgId}/…segments, each segment URL-encoded. */
  orgPath(...segments: string[]): string {
    return ['/v1/orgs', this.profile.orgId, ...segments].map((part, i) => (i === 0 ? part : segment(part))).join('/');
  }

  /** /v1/orgs/{orgId}/agents/{me}/…segments. */
  selfPath(...segments: string[]): string {
    return this.orgPath('agents', this.profile.agentId, ...segments);
  }

  /**
   * Asks the passphrase of this agent's ACTIVE key and decrypts it. A pending replacement that
   * was decided since the last run is settled first: approved, it is the key to sign with now.
   */
  async unlockActiveKey(): Promise<UnlockedKey> {
    const pending = this.keys.index().pending;
    if (pending) {
      const { status } = await this.api.get<{ status: string }>(this.orgPath('key-requests', pending.requestId));
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
    const challenge = await this.api.post<Challenge>(this.orgPath('challenges'), challengeRequestBody(binding));
    if (typeof challenge?.challengeId !== 'string' || typeof challenge.statement !== 'string')
      throw new CliError(EXIT.SERVER, 'The server answered the challenge request without a challengeId and statement.');
    checkStatement(challenge.statement, this.profile, binding);
    return { challengeId: challenge.challengeId, signature: await signStatement(key, challenge.statement) };
  }
}

