import { Inject, Injectable, Logger } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { Counter, Registry } from 'prom-client';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { verifyCosignatures } from '../../transparency/cosignature';
import type { Hash } from '../../transparency/merkle-tree';
import { InvalidNote, parseNote, parseSignatureLine } from '../../transparency/signed-note';
import { submitCheckpoint } from '../../transparency/witness-client';
import { loadWitnesses, type ConfiguredWitness } from '../../transparency/witnesses';

/** After a witness did not answer, it is not asked again for this long: a witness down costs a served checkpoint nothing. */
const PAUSE_AFTER_FAILURE_MS = 10_000;

/** What this process knows of one witness for one org. */
interface Known {
  /** The size the witness cosigned last, as far as this process knows. */
  size: number;
  /** The checkpoint text it cosigned and its cosignature line, for the checkpoint it last cosigned for this process. */
  text?: string;
  line?: string;
}

/**
 * The cosignatures of the shared witnesses (WITNESSES) on an org's latest checkpoint, asked for when
 * it is served (C2SP tlog-witness add-checkpoint): with the consistency proof from the size each
 * witness cosigned last, learnt from its 409 and kept per witness and org in this process, and
 * asked again once for that size. A witness that is down, slow, or refuses gives no cosignature:
 * the checkpoint is served with those there are, a counter and a log line tell. The witness is
 * the one that keeps the state: any process, any replica, can ask it.
 */
@Injectable()
export class WitnessCosignatures {
  private readonly logger = new Logger('Witnesses');
  private readonly witnesses: ConfiguredWitness[];
  /** Bounded as the checkpointer's orgs are (LOG_ORGS_IN_MEMORY a witness): one that left costs a 409 at its next checkpoint. */
  private readonly known: LRUCache<string, Known>;
  private readonly pausedUntil = new Map<ConfiguredWitness, number>();
  private readonly asking = new Map<string, Promise<string>>();
  private readonly submissions: Counter<'witness' | 'outcome'>;
  private readonly belowQuorum: Counter;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    registry: Registry,
  ) {
    this.witnesses = loadWitnesses(config);
    this.known = new LRUCache({ max: config.orgsInMemory * Math.max(1, this.witnesses.length) });
    this.submissions = new Counter({
      name: 'ztkeys_witness_submissions_total',
      help: 'Checkpoints submitted to a shared witness (WITNESSES), by witness name and outcome: cosigned, other_size (its 409: asked again from its size), refused (another 4xx/5xx, or no valid cosignature: the log may have forked), unreachable (no answer within WITNESS_TIMEOUT_MS; not asked again for 10 s), no_proof (the Merkle node store could not prove the checkpoint from the witness\'s size yet)',
      labelNames: ['witness', 'outcome'],
      registers: [registry],
    });
    this.belowQuorum = new Counter({
      name: 'ztkeys_witness_checkpoints_below_quorum_total',
      help: 'Checkpoints served with fewer cosignatures than WITNESS_QUORUM (served all the same: auditors that require the quorum refuse them)',
      registers: [registry],
    });
  }

  /** The cosignature lines to append to the org's latest checkpoint `note` (empty without witnesses); `proof(from)` proves its size extends `from`. */
  async cosign(orgId: string, note: string, size: number, proof: (from: number) => Promise<Hash[]>): Promise<string> {
    if (this.witnesses.length === 0) return '';
    const { text } = parseNote(note);
    const lines = await Promise.all(this.witnesses.map((witness) => this.once(witness, orgId, note, text, size, proof)));
    const cosigned = lines.filter((line) => line !== '').length;
    if (cosigned < this.config.witnessQuorum) {
      this.belowQuorum.inc();
      this.logger.warn(`checkpoint of org ${orgId} (size ${size}) served with ${cosigned} cosignature(s), fewer than WITNESS_QUORUM ${this.config.witnessQuorum}`);
    }
    return lines.join('');
  }

  /** One request per witness, org and checkpoint at a time: concurrent readers share it. */
  private once(witness: ConfiguredWitness, orgId: string, note: string, text: string, size: number, proof: (from: number) => Promise<Hash[]>): Promise<string> {
    const key = `${witness.url}\n${orgId}`;
    const known = this.known.get(key);
    if (known?.text === text && known.line) return Promise.resolve(known.line);
    if ((this.pausedUntil.get(witness) ?? 0) > Date.now()) return Promise.resolve('');
    const pending = this.asking.get(`${key}\n${text}`);
    if (pending) return pending;
    const asked = this.ask(witness, key, note, text, size, proof).finally(() => this.asking.delete(`${key}\n${text}`));
    this.asking.set(`${key}\n${text}`, asked);
    return asked;
  }

  private async ask(witness: ConfiguredWitness, key: string, note: string, text: string, size: number, proof: (from: number) => Promise<Hash[]>): Promise<string> {
    const name = witness.key.name;
    let old = this.known.get(key)?.size ?? 0;
    // Twice at most: the first may learn the witness's size (another process, a restart, a witness shared by several logs).
    for (let attempt = 0; attempt < 2 && old <= size; attempt++) {
      let hashes: Hash[];
      try {
        hashes = old === 0 ? [] : await proof(old);
      } catch (error) {
        // The node store behind (a restart catching up): the witness is not at fault, and is asked again at the next read.
        this.submissions.inc({ witness: name, outcome: 'no_proof' });
        this.logger.warn(`no consistency proof from size ${old} to ${size} for witness ${name} yet: ${error instanceof Error ? error.message : String(error)}`);
        return '';
      }
      let answer;
      try {
        answer = await submitCheckpoint(witness.url, old, hashes, note, this.config.witnessTimeoutMs);
      } catch (error) {
        this.submissions.inc({ witness: name, outcome: 'unreachable' });
        this.pausedUntil.set(witness, Date.now() + PAUSE_AFTER_FAILURE_MS);
        this.logger.warn(`witness ${name} (${witness.url}) did not answer: ${error instanceof Error ? error.message : String(error)}; checkpoints are served without its cosignature, asked again in ${PAUSE_AFTER_FAILURE_MS / 1000} s`);
        return '';
      }
      if (answer.kind === 'other-size') {
        this.submissions.inc({ witness: name, outcome: 'other_size' });
        this.known.set(key, { size: answer.size });
        old = answer.size;
        continue;
      }
      const line = answer.kind === 'cosigned' ? this.ownLine(witness, note, answer.lines) : undefined;
      this.submissions.inc({ witness: name, outcome: line ? 'cosigned' : 'refused' });
      if (!line) {
        const why = answer.kind === 'refused' ? `${answer.status} ${answer.detail}` : 'no valid cosignature of its key in its answer';
        this.logger.error(`witness ${name} did not cosign the checkpoint of size ${size} (from its size ${old}): ${why}`);
        return '';
      }
      this.known.set(key, { size, text, line });
      return line;
    }
    // It holds a larger size than this checkpoint (a newer one was cosigned through another process): the next one served gets it.
    return '';
  }

  /** The witness's own cosignature line among those it answered, verified; undefined when there is none. */
  private ownLine(witness: ConfiguredWitness, note: string, lines: string): string | undefined {
    for (const line of lines.split('\n').filter((line) => line !== '')) {
      try {
        const signature = parseSignatureLine(line);
        if (signature.name !== witness.key.name || signature.keyId !== witness.key.keyId) continue;
        if (verifyCosignatures(`${note}${line}\n`, [witness.key]).length === 1) return `${line}\n`;
      } catch (error) {
        if (!(error instanceof InvalidNote)) throw error;
      }
    }
    return undefined;
  }
}
