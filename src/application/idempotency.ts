import { v5 as uuidv5 } from 'uuid';
import { refuse } from '../domain/shared/refusal';
import type { RecordedEvent } from '../event-store/event-store.port';

/** A client's Idempotency-Key on one request, and the digest of that request (method, path, body). */
export interface IdempotencyKey {
  key: string;
  requestDigest: string;
  /**
   * Other digests the same request had under an earlier release (its body's members in the order
   * sent, where the digest now takes them in canonical order): a key bound before the upgrade is
   * still this request's.
   */
  earlierDigests?: readonly string[];
}

/** The namespace of every id derived from an Idempotency-Key (RFC 9562 name-based ids). */
const NAMESPACE = 'a3a8e5c2-5b0e-4f6b-9a57-2f1c1d0a7e41';

/** More events than any one command appends: the ids a replay looks for among a stream's events. */
const MAX_EVENTS_PER_COMMAND = 32;

/**
 * A command sent with an Idempotency-Key, whose retry must act once: derived from the log rather
 * than a table beside it. What the command creates is named after (scope, key), so a retry finds
 * it already there; its events' ids after (scope, key, request digest, index), so the first event's
 * id tells whether this very request made it, and the same ids appended twice (two requests at
 * once) are one append: SQLite's unique event ids and KurrentDB's deduplication by event id give
 * the second the first one's result. The scope names the operation and the caller, whose keys
 * are theirs alone.
 */
export class KeyedCommand {
  private readonly ids: readonly string[];

  constructor(
    private readonly scope: string,
    private readonly idempotency: IdempotencyKey,
  ) {
    this.ids = this.idsOf(idempotency.requestDigest);
  }

  private idsOf(digest: string): string[] {
    return Array.from({ length: MAX_EVENTS_PER_COMMAND }, (_, index) => uuidv5(`${this.scope}\n${this.idempotency.key}\n${digest}\n${index}`, NAMESPACE));
  }

  /** The id of what the command creates: the same for every request with this key. */
  get resourceId(): string {
    return uuidv5(`${this.scope}\n${this.idempotency.key}`, NAMESPACE);
  }

  /** The id of the command's event at `index`, in the order it appends them. */
  readonly eventId = (index: number): string => {
    if (index >= this.ids.length) throw new Error(`a keyed command appends at most ${this.ids.length} events`);
    return this.ids[index];
  };

  /** The events this request appended, among `events`; refuses (422) when the key's first event is another request's. */
  ownEvents(events: readonly RecordedEvent[]): RecordedEvent[] {
    for (const ids of [this.ids, ...(this.idempotency.earlierDigests ?? []).map((digest) => this.idsOf(digest))]) {
      if (events.some((event) => event.id === ids[0])) return events.filter((event) => ids.includes(event.id));
    }
    return refuse(
      'UNPROCESSABLE',
      'IDEMPOTENCY_KEY_REUSED',
      `Idempotency-Key "${this.idempotency.key}" was already used for another request: send a new key with a new request, or this very request again for its answer.`,
    );
  }
}

/** Position of the last of a command's events: the position its answer gave. */
export const positionOf = (events: readonly RecordedEvent[]): bigint => events.reduce((last, event) => (event.position > last ? event.position : last), 0n);
