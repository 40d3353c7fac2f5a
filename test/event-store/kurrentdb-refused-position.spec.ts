import { Metadata, Server, ServerCredentials, status, type ServerWritableStream } from '@grpc/grpc-js';
import { AccessDeniedError, UnavailableError, convertToCommandError } from '@kurrent/kurrentdb-client';
import { convertBridgeError } from '@kurrent/kurrentdb-client/dist/utils/convertBridgeError';
import { StreamsService } from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/streams_grpc_pb';
import { ReadResp, type ReadReq } from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/streams_pb';
import { isTransientKurrentError } from '../../src/event-store/kurrentdb/kurrentdb-errors';
import { KurrentDbEventStore } from '../../src/event-store/kurrentdb/kurrentdb-event-store';
import { StoreUnavailable } from '../../src/shared/store-unavailable';
import { isRefusedPosition } from '../../src/event-store/kurrentdb/kurrentdb-refused-position';
import { PositionNotInLog } from '../../src/event-store/position-not-in-log';

/*
 * KurrentDB's refusal to read $all from a position inside a record, as the client hands it over:
 * made here by the client's own converters from what each of its two transports receives, as seen
 * against the loopback server below. The server's words are those of its source (KurrentDB
 * Streams.Read.cs, RpcExceptions.cs): a read is refused with status Unknown, a subscription with
 * InvalidArgument (Unknown on older servers).
 */

/** A read of $all goes through the client's native reader: its errors come as a name and a message. */
function nativeReadError(name: string, message: string): Error {
  return convertBridgeError(Object.assign(new Error(message), { name, metadata: name === 'UnknownError' ? { detail: message } : {} }) as never);
}

/** A subscription goes through grpc-js: its errors come as gRPC statuses. */
function subscriptionError(code: number, details: string): Error {
  const codeName = code === 2 ? 'UNKNOWN' : code === 3 ? 'INVALID_ARGUMENT' : 'UNAVAILABLE';
  return convertToCommandError(Object.assign(new Error(`${code} ${codeName}: ${details}`), { code, details, metadata: new Metadata() })) as Error;
}

/** What the native reader makes of status Unknown (or Internal, or Unavailable): the server's words are gone. */
const readRefusedOrServerAway = nativeReadError('UnavailableError', 'UnavailableError');
const refusedSubscription = subscriptionError(3, 'Trying to read from an invalid position.');

describe("KurrentDB's refusal to read $all from a position inside a record", () => {
  it('is told apart where the words reach the client: a subscription (InvalidArgument, or Unknown on older servers), a read refused with InvalidArgument, an unconverted status', () => {
    expect(isRefusedPosition(refusedSubscription)).toBe(true);
    expect(isRefusedPosition(subscriptionError(2, 'Trying to read from an invalid position.'))).toBe(true);
    expect(isRefusedPosition(nativeReadError('UnknownError', 'Unmapped gRPC error: code: Client specified an invalid argument, message: Trying to read from an invalid position..'))).toBe(true);
    expect(isRefusedPosition(Object.assign(new Error('3 INVALID_ARGUMENT: Trying to read from an invalid position.'), { code: 3 }))).toBe(true);
  });

  it('is not told apart from an outage where the native reader drops the words (a read refused with Unknown): eventAt asks again by subscribing', () => {
    expect(isRefusedPosition(readRefusedOrServerAway)).toBe(false);
    expect(isTransientKurrentError(readRefusedOrServerAway)).toBe(true);
  });

  it('is not an outage', () => {
    expect(isRefusedPosition(subscriptionError(14, 'No connection established'))).toBe(false);
    expect(isRefusedPosition(new UnavailableError())).toBe(false);
    expect(isRefusedPosition(new Error('Failed to discover after 10 attempts.'))).toBe(false);
  });

  it('needs both the words and a status the server refuses with', () => {
    expect(isRefusedPosition(new AccessDeniedError(undefined, 'invalid position'))).toBe(false);
    expect(isRefusedPosition(new Error('invalid position'))).toBe(false);
    expect(isRefusedPosition(Object.assign(new Error('14 UNAVAILABLE: invalid position'), { code: 14 }))).toBe(false);
    expect(isRefusedPosition(nativeReadError('UnknownError', 'Unmapped gRPC error: code: The system is not in a state required for the operation\'s execution, message: Unexpected FilteredReadAllResult: Error.'))).toBe(false);
    expect(isRefusedPosition('invalid position')).toBe(false);
  });

  it('ends a subscription resuming there: the refusal alone would be retried as an outage, the position not in the log is not', () => {
    expect(isTransientKurrentError(refusedSubscription)).toBe(true);
    const ended = new PositionNotInLog(2n ** 53n + 1n, refusedSubscription);
    expect(isTransientKurrentError(ended)).toBe(false);
    expect(ended.message).toMatch(/no event at position 9007199254740993 .*invalid position/);
    expect(ended.cause).toBe(refusedSubscription);
  });
});

/*
 * The adapter against a loopback gRPC server that answers reads and subscriptions of $all as
 * KurrentDB does from inside a record (a read: Unknown, a subscription: InvalidArgument, the words
 * of its source), or fails the read while a subscription from the same position is answered. No
 * KurrentDB runs here; the client, its native reader included, is the real one, so the errors are
 * those it makes of the server's answer.
 */
describe('KurrentDbEventStore when the server refuses the position asked for', () => {
  const server = new Server();
  let url: string;
  /** Whether the position is inside a record (refused), or fine while reads fail (a node not ready). */
  let position: 'refused' | 'fine, reads failing' = 'refused';

  beforeAll(async () => {
    server.addService(StreamsService, {
      read: (call: ServerWritableStream<ReadReq, ReadResp>) => {
        const subscription = call.request.getOptions()?.hasSubscription() ?? false;
        if (!subscription) {
          const failure = position === 'refused' ? { code: status.UNKNOWN, details: 'Unexpected FilteredReadAllResult: InvalidPosition' } : { code: status.UNAVAILABLE, details: 'Server Is Not Ready' };
          return call.emit('error', failure);
        }
        // As the server does: a subscription is confirmed before its catch-up reads from the position.
        call.write(new ReadResp().setConfirmation(new ReadResp.SubscriptionConfirmation().setSubscriptionId('s')));
        if (position === 'refused') return call.emit('error', { code: status.INVALID_ARGUMENT, details: 'Trying to read from an invalid position.' });
        call.write(new ReadResp().setCaughtUp(new ReadResp.CaughtUp()));
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    url = `kurrentdb://127.0.0.1:${port}?tls=false`;
  });

  afterEach(() => (position = 'refused'));
  afterAll(() => server.forceShutdown());

  it('answers that no event is at the position (as the port promises), not that the store is unavailable', async () => {
    const store = new KurrentDbEventStore(url);
    try {
      expect(await store.eventAt(12_345n)).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('still answers unavailable (503), at the position or after it, when only the read fails and a subscription from the position is answered', async () => {
    position = 'fine, reads failing';
    const store = new KurrentDbEventStore(url);
    try {
      await expect(store.eventAt(12_345n)).rejects.toBeInstanceOf(StoreUnavailable);
      await expect(store.readAll(12_345n, 10)).rejects.toBeInstanceOf(StoreUnavailable);
      await expect(store.backlog(12_345n, 10)).rejects.toBeInstanceOf(StoreUnavailable);
      await expect(store.readAll(undefined, 10)).rejects.toBeInstanceOf(StoreUnavailable);
    } finally {
      await store.close();
    }
  });

  it('answers a read of the log after the position, or a count of the events after it, with PositionNotInLog naming it: not an outage retried for ever', async () => {
    const store = new KurrentDbEventStore(url);
    try {
      for (const read of [() => store.readAll(12_345n, 10), () => store.backlog(12_345n, 10)]) {
        const error: unknown = await read().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(PositionNotInLog);
        expect((error as PositionNotInLog).position).toBe(12_345n);
        expect((error as Error).message).toMatch(/no event at position 12345 .*invalid position/);
      }
    } finally {
      await store.close();
    }
  });

  it('ends a subscription resuming after the position, naming it, rather than resubscribing for ever', async () => {
    const drops: unknown[] = [];
    let resolveEnded!: (error: unknown) => void;
    const ended = new Promise<unknown>((resolve) => (resolveEnded = resolve));
    const store = new KurrentDbEventStore(url, {
      resubscribeBackoff: { initialMs: 1, maxMs: 5 },
      onSubscriptionDropped: (error) => {
        drops.push(error);
        if (drops.length === 3) resolveEnded(undefined);
      },
    });
    store.subscribeToAll({ after: 12_345n, handler: () => undefined, onError: resolveEnded });

    const error = await ended;
    await store.close();

    expect(drops).toEqual([]);
    expect(error).toBeInstanceOf(PositionNotInLog);
    expect((error as PositionNotInLog).position).toBe(12_345n);
  });
});
