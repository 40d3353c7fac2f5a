import { ApiError } from './api-client';
import type { AgentSession } from './agent-session';
import { CliError } from './cli-error';
import { EXIT } from './exit-codes';
import { cosignatureShortfall, type WitnessRequirement } from './witness-requirement';
import { checkpointOrigin, checkpointSize, type Checkpoint } from '../transparency/checkpoint';
import { checkWitness, consistencyProofIn } from '../transparency/log-witness';
import { InvalidNote, parseVerifierKey } from '../transparency/signed-note';
import { sentence } from '../shared/hidden-characters';

/** The note endpoints answer text/plain; their problems are still problem+json. */
const TEXT = { parseAs: 'text', headers: { accept: 'text/plain, application/problem+json' } } as const;

/**
 * The CLI's witness (R16), run by every online `audit` command: fetches the org's newest
 * checkpoint and a consistency proof from the last one this machine saw, refuses (exit 7) a log
 * that does not extend it, and remembers the newer one. The log key is pinned at first sight.
 * A server that serves no checkpoint is only warned about until one was seen: then it is refused.
 * With `witnesses` (--witness-key), the checkpoint must also carry their cosignatures (exit 7).
 */
export async function witnessLog(session: AgentSession, witnesses?: WitnessRequirement): Promise<Checkpoint | undefined> {
  const { ctx, api, profile } = session;
  const { orgId } = profile;
  const saved = ctx.profiles.lastCheckpoint(profile.apiUrl, orgId);
  let latest: string;
  let vkey: string;
  try {
    vkey = saved?.vkey ?? (await api.ok(api.http.GET('/v1/log-key', TEXT), 'any')).trim();
    latest = await api.ok(api.http.GET('/v1/orgs/{orgId}/audit-log/checkpoint', { params: { path: { orgId } }, ...TEXT }), 'any');
  } catch (error) {
    if (!saved && error instanceof ApiError && error.status === 404) {
      ctx.output.warn('this server serves no audit checkpoint yet: its log was not witnessed.');
      return undefined;
    }
    throw error;
  }
  const refuse = (reason: string): never => {
    // With nothing seen before, nothing can have been rewritten: the server's answer just fails the check.
    if (!saved) {
      throw new CliError(
        EXIT.CHECK_FAILED,
        `${sentence`REFUSED: ${reason}.`} This CLI has witnessed no checkpoint of this org before, so this says nothing of a rewritten history, but the server's audit log cannot be witnessed and nothing was saved. Tell the server's operator.`,
      );
    }
    throw new CliError(EXIT.FORKED, `${sentence`REFUSED: ${reason}.`} The server's audit log does not extend what this CLI saw before: someone rewrote its history. Keep your saved checkpoint and exports, and alert your security team.`);
  };
  let proof: Buffer[] = [];
  try {
    const logKey = parseVerifierKey(vkey);
    const [from, to] = [saved ? checkpointSize(saved.note) : 0, checkpointSize(latest)];
    if (saved && from < to) {
      const answer = await api.ok(api.http.GET('/v1/orgs/{orgId}/audit-log/consistency', { params: { path: { orgId }, query: { from, to } } }), 'any');
      const read = consistencyProofIn(answer, from, to);
      proof = 'proof' in read ? read.proof : refuse(read.reason);
    }
    const result = checkWitness({ ...(saved && { saved: saved.note }), latest, proof, logKey, origin: checkpointOrigin(logKey.name, orgId) });
    if (!result.ok) return refuse(result.reason);
    // Checked on first contact too: a server showing this auditor a fork the shared witnesses refused is seen at once.
    const shortfall = witnesses && cosignatureShortfall(latest, witnesses);
    if (shortfall) {
      throw new CliError(EXIT.FORKED, `REFUSED: ${shortfall}. The server's checkpoint of size ${to} is not witnessed as the one history others see; nothing was saved. Ask the operator, and compare with other auditors.`);
    }
    if (result.newer) ctx.profiles.recordCheckpoint(profile.apiUrl, orgId, { vkey, note: latest });
    else ctx.output.warn(`the server's checkpoint of size ${to} was signed before the one of size ${from} this CLI saw; it keeps the newer one.`);
    return result.checkpoint;
  } catch (error) {
    if (error instanceof InvalidNote) return refuse(`the server's checkpoint or proof is malformed: ${error.message}`);
    throw error;
  }
}
