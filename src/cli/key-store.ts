import { chmodSync, existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ID_PATTERN } from '../domain/streams';
import { checkFailed, usageError } from './cli-error';
import { parseKeyFile, type KeyFile, type KeyOwner } from './key-file';
import { PRIVATE_FILE_MODE } from '../shared/private-files';
import { updatePrivateFile, writePrivateFile } from './private-file';
import { parseStored } from './stored-document';
import type { operations } from './api-types.generated';

/** The body of POST /v1/orgs/{orgId}/key-requests: the new public key and its signed KEY_REQUEST challenge. */
export type KeyRequestBody = operations['requestKey']['requestBody']['content']['application/json'];

/**
 * A key request sent without its answer back yet (lost, or the run interrupted): the server may
 * have recorded it, so its key is kept, and the very same request is sent again, with the same
 * Idempotency-Key, until an answer says what became of it.
 */
export interface UnansweredRequest {
  fingerprint: string;
  idempotencyKey: string;
  body: KeyRequestBody;
}

/** Which local key is the agent's ACTIVE one, which one waits for approval (R8: both can exist), and which one's request is unanswered. */
export interface KeyIndex {
  active?: string;
  pending?: { fingerprint: string; requestId: string };
  unanswered?: UnansweredRequest;
}

/** A key's name in index.json, as ztkeys writes it (hex SHA-256 of the public key): it becomes a file name. */
const FINGERPRINT = z.string().regex(/^[0-9a-f]{64}$/, { message: 'not a key fingerprint (64 hex digits)' });

/** What ztkeys writes to index.json. */
const KEY_INDEX = z.looseObject({
  active: FINGERPRINT.optional(),
  pending: z.object({ fingerprint: FINGERPRINT, requestId: z.string() }).optional(),
  unanswered: z
    .object({
      fingerprint: FINGERPRINT,
      idempotencyKey: z.string(),
      body: z.looseObject({ publicKey: z.string(), challengeId: z.string(), signature: z.string(), replacePending: z.boolean().optional() }),
    })
    .optional(),
});

/** The file of a key replaced by an approved one, kept where its holder finds it. */
export interface RetiredKey {
  fingerprint: string;
  path: string;
}

/** How a retired key's file name ends, after its fingerprint. */
const RETIRED = '.retired.json';

/** The key file at `path`, which must hold the key its name says. */
function keyFileOf(path: string, fingerprint: string): KeyFile {
  const file = parseKeyFile(readFileSync(path, 'utf8'), path);
  // Another key file of this agent copied over it would sign with a key index.json does not name (the server refuses it; a retired key it would not).
  if (file.fingerprint !== fingerprint)
    throw checkFailed(`Key file ${path} holds key ${file.fingerprint}, not the key its name says: restore it from a copy, or run "ztkeys keys create".`);
  return file;
}

/** Statuses after which a key request will never be approved. */
const ENDED = new Set(['REJECTED', 'LOCKED', 'CANCELLED', 'EXPIRED']);

/**
 * The encrypted key files of one agent of one org on this machine:
 * keys/<org>/<agent>/<fingerprint>.json (mode 0600) and index.json.
 */
export class KeyStore {
  private readonly dir: string;

  constructor(home: string, readonly owner: KeyOwner) {
    // The ids become folder names: one such as ".." would file keys outside ZTKEYS_HOME (login refuses such a token; a profile may still hold one).
    if (!ID_PATTERN.test(owner.orgId) || !ID_PATTERN.test(owner.agentId)) {
      throw usageError(`The profile names org "${owner.orgId}" and agent "${owner.agentId}", which are no ids the server gives: keys are filed under them. Log in again with a token of this agent.`);
    }
    this.dir = join(home, 'keys', encodeURIComponent(owner.orgId), encodeURIComponent(owner.agentId));
  }

  pathOf(fingerprint: string): string {
    return join(this.dir, `${fingerprint}.json`);
  }

  /** Where the file of a replaced key is kept: beside the keys, named so no key is taken for it. */
  retiredPathOf(fingerprint: string): string {
    return join(this.dir, `${fingerprint}${RETIRED}`);
  }

  /** The fingerprints of the retired keys kept here. */
  retired(): string[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((name) => name.endsWith(RETIRED))
      .map((name) => name.slice(0, -RETIRED.length))
      .sort();
  }

  index(): KeyIndex {
    const path = this.indexPath();
    return this.parseIndex(existsSync(path) ? readFileSync(path, 'utf8') : undefined);
  }

  save(file: KeyFile): void {
    writePrivateFile(this.pathOf(file.fingerprint), `${JSON.stringify(file, null, 2)}\n`);
  }

  load(fingerprint: string): KeyFile {
    const path = this.pathOf(fingerprint);
    if (!existsSync(path)) throw checkFailed(`Key file ${path} is missing.`);
    return keyFileOf(path, fingerprint);
  }

  /**
   * Makes a retired key the active one again (`keys restore`): the server's APPROVED was not what
   * it recorded (the new key is refused), and the replaced key is the one that still signs. The
   * key it replaces is retired in turn, not deleted, and returned. A run stopped in between leaves
   * a key file under its own name, unused, as retire does.
   */
  restore(fingerprint: string): RetiredKey | undefined {
    const from = this.retiredPathOf(fingerprint);
    // The argument becomes a file name: only a fingerprint's characters.
    if (!FINGERPRINT.safeParse(fingerprint).success || !existsSync(from)) {
      const retired = this.retired();
      throw usageError(`No retired key ${fingerprint} in ${this.dir}: ${retired.length === 0 ? 'there is none' : `the retired keys there are ${retired.join(', ')}`}.`);
    }
    keyFileOf(from, fingerprint);
    renameSync(from, this.pathOf(fingerprint));
    let replaced: string | undefined;
    this.updateIndex((index) => {
      replaced = this.activate(index, fingerprint);
    });
    return this.retire(replaced);
  }

  /** Drops a key file that never became (or no longer is) the ACTIVE key: the fewer copies of a key, the better. */
  discard(fingerprint: string): void {
    rmSync(this.pathOf(fingerprint), { force: true });
  }

  /** Records a key request about to be sent: from then on, only an answer may forget its key. */
  recordUnanswered(request: UnansweredRequest): void {
    this.updateIndex((index) => {
      index.unanswered = request;
    });
  }

  /** The server refused the unanswered request (it recorded nothing): its key goes. */
  dropUnanswered(fingerprint: string): void {
    this.updateIndex((index) => {
      if (index.unanswered?.fingerprint === fingerprint) delete index.unanswered;
      this.discard(fingerprint);
    });
  }

  /**
   * Records the server's answer to a new key request. Any previous pending request was settled
   * first (AgentSession asks the server: approved, its key is active; cancelled or ended, its key
   * is gone); one still listed is PENDING there, newer than this answer. An approved key replaces
   * the active one, whose file is kept, retired (returned).
   */
  recordRequest(fingerprint: string, requestId: string, status: string): RetiredKey | undefined {
    let replaced: string | undefined;
    this.updateIndex((index) => {
      if (index.unanswered?.fingerprint === fingerprint) delete index.unanswered;
      if (status === 'APPROVED') {
        replaced = this.activate(index, fingerprint);
        if (index.pending?.fingerprint === fingerprint) delete index.pending;
      } else if (index.pending && index.pending.fingerprint !== fingerprint) {
        // Still listed once settled, it is the agent's one PENDING request on the server: this answer is
        // an older request's, which that one cancelled (two keys create at once, the first answered last).
        this.discard(fingerprint);
      } else index.pending = { fingerprint, requestId };
    });
    return this.retire(replaced);
  }

  /**
   * Applies what the server says of the pending request `requestId`, if it still is; undefined
   * when the index did not change, else the replaced key's retired file, if any.
   */
  settlePending(requestId: string, status: string): { retired?: RetiredKey } | undefined {
    let settled: { replaced?: string } | undefined;
    this.updateIndex((index) => {
      if (index.pending?.requestId !== requestId || (status !== 'APPROVED' && !ENDED.has(status))) return false;
      const { fingerprint } = index.pending;
      delete index.pending;
      if (status === 'APPROVED') settled = { replaced: this.activate(index, fingerprint) };
      else {
        this.discard(fingerprint);
        settled = {};
      }
    });
    return settled && { retired: this.retire(settled.replaced) };
  }

  /** Makes `fingerprint` the active key; returns the key it replaces, if any. */
  private activate(index: KeyIndex, fingerprint: string): string | undefined {
    const replaced = index.active !== fingerprint ? index.active : undefined;
    index.active = fingerprint;
    return replaced;
  }

  /**
   * The server says it revoked the replaced key (R8, reason REPLACED), which ztkeys cannot check:
   * a server taken over, or mistaken, would have it delete a key still ACTIVE, the agent's only
   * one. So its file is moved aside, not deleted, once index.json no longer names it (a run
   * stopped in between leaves it under its own name, unused), for its holder to delete.
   */
  private retire(fingerprint: string | undefined): RetiredKey | undefined {
    if (!fingerprint || !existsSync(this.pathOf(fingerprint))) return undefined;
    const path = this.retiredPathOf(fingerprint);
    renameSync(this.pathOf(fingerprint), path);
    chmodSync(path, PRIVATE_FILE_MODE);
    return { fingerprint, path };
  }

  private indexPath(): string {
    return join(this.dir, 'index.json');
  }

  private parseIndex(text: string | undefined): KeyIndex {
    if (text === undefined) return {};
    const read = parseStored<KeyIndex>(KEY_INDEX, text);
    if ('problem' in read)
      throw checkFailed(`${this.indexPath()} is not a ztkeys key index (${read.problem}): restore it from a copy, or move it away and run "ztkeys keys create".`);
    return read.value;
  }

  /** Changes the index as it is now, another ztkeys may be changing it too; `change` returns false to leave it. */
  private updateIndex(change: (index: KeyIndex) => boolean | void): void {
    updatePrivateFile(this.indexPath(), (text) => {
      const index = this.parseIndex(text);
      return change(index) === false ? undefined : `${JSON.stringify(index, null, 2)}\n`;
    });
  }
}
