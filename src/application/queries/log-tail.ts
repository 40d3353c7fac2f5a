import { versionChanges } from '../../../projections/document-change';
import type { InMemoryDocuments } from '../../../projections/in-memory-documents';
import type { Projection, ReadModelName } from '../../../projections/projection';
import { decode } from '../../domain/events/decode';
import type { LogEvent, LogEventType } from '../../domain/events/event-catalogue';
import type { EventStore, RecordedEvent } from '../../event-store/event-store.port';
import { PositionNotInLog } from '../../event-store/position-not-in-log';
import type { ReadQueries } from './read-queries';

/**
 * Events past the read models' checkpoints a page reads at most: the models are normally a few
 * events behind. One further behind is read on its stream where exactness needs it, and answers a
 * few of the requests it still lists with 409 REQUEST_NOT_PENDING, changing nothing.
 */
const TAIL_EVENTS = 1000;

/**
 * The log past some read models' checkpoints, read once for a page: documents a query read from
 * those models are brought up to it with the models' own projections, as the models will hold
 * them once they have applied it.
 */
export class LogTail {
  private constructor(
    /** The org's events of the types the projections make changes for, decoded, in log order. */
    private readonly events: readonly RecordedEvent<LogEvent>[],
    private readonly checkpoints: ReadonlyMap<ReadModelName, bigint | undefined>,
    /** The read reached the log's head: documents brought up to it are the log's state as read. */
    readonly complete: boolean,
  ) {}

  /**
   * One read of the log, from the lowest checkpoint of the projections' models. A checkpoint the
   * store refuses to read from (PositionNotInLog: the model diverged from the log, which the
   * projector names while it rebuilds it) gives a tail cut short at its start, with no event: the
   * page then reads on the streams what exactness needs, as for a model too far behind.
   */
  static async read(store: Pick<EventStore, 'readAll'>, queries: Pick<ReadQueries, 'checkpoint'>, orgId: string, projections: readonly Projection[]): Promise<LogTail> {
    const checkpoints = new Map(await Promise.all(projections.map(async ({ name }) => [name, await queries.checkpoint(name)] as const)));
    const positions = [...checkpoints.values()];
    // A model that applied nothing yet is read from the log's start.
    const from = positions.includes(undefined) ? undefined : (positions as bigint[]).reduce((lowest, position) => (position < lowest ? position : lowest));
    let read: RecordedEvent[];
    try {
      read = await store.readAll(from, TAIL_EVENTS);
    } catch (error) {
      if (error instanceof PositionNotInLog) return new LogTail([], checkpoints, false);
      throw error;
    }
    const projected = (type: string) => projections.some(({ types }) => !types || types.has(type as LogEventType));
    const events = read.filter((event) => event.metadata.orgId === orgId && projected(event.type)).map((event) => decode(event));
    return new LogTail(events, checkpoints, read.length < TAIL_EVENTS);
  }

  /** Applies to `documents` the changes `projection` makes for the events its model had not applied. */
  bringUp(documents: InMemoryDocuments, projection: Projection): void {
    const checkpoint = this.checkpoints.get(projection.name);
    for (const event of this.events) {
      if ((checkpoint !== undefined && event.position <= checkpoint) || (projection.types && !projection.types.has(event.type))) continue;
      documents.apply(versionChanges(event.position, projection.project(event)));
    }
  }
}
