import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { answerClientError } from '../http/client-error';
import { PROBLEM_CONTENT_TYPE, problem } from '../http/problem';
import { requestDeadline } from '../http/request-deadline';
import { bearerToken, sameSecret } from '../shared/bearer-token';
import { StoreUnavailable } from '../shared/store-unavailable';
import type { Cosigner } from '../transparency/cosignature';
import type { LogKeyring } from '../transparency/log-keyring';
import { MalformedBody, parseAddCheckpointBody } from './add-checkpoint-body';
import { decideAddCheckpoint, submittedCheckpoint, type AddCheckpointOutcome } from './add-checkpoint';
import { addCheckpointResult, isEvidence } from './add-checkpoint-result';
import type { SqliteWitnessStore } from './sqlite-witness-store';
import type { WitnessMetrics } from './witness-metrics';

/** A checkpoint note is a few hundred bytes and a proof at most 63 lines: anything far larger is no add-checkpoint. */
export const MAX_BODY_BYTES = 64 * 1024;
/** tlog-witness: the body of a 409 for an old size that is not the witness's. */
export const TLOG_SIZE_CONTENT_TYPE = 'text/x.tlog.size';

export interface WitnessServerOptions {
  cosigner: Cosigner;
  /** The verifier keys of the deployments witnessed, each its keys oldest first: a checkpoint of origin `{key name}/...` signed by one of them. */
  logKeys: readonly LogKeyring[];
  store: SqliteWitnessStore;
  metrics: WitnessMetrics;
  /** METRICS_TOKEN: when set, /metrics answers only `Bearer <it>`, as the server's. */
  metricsToken?: string;
  /** WITNESS_REQUEST_TIMEOUT_MS: a request not all arrived by then is answered 408 and its connection closed. */
  requestTimeoutMs: number;
  /** Each checkpoint cosigned or refused, for the process's log. */
  onOutcome?: (origin: string, outcome: AddCheckpointOutcome) => void;
  now?: () => Date;
}

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    /** Headers the answer carries beside the problem (a 405's Allow). */
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    req.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length > MAX_BODY_BYTES) {
        reject(new HttpProblem(413, 'BODY_TOO_LARGE', `an add-checkpoint body is at most ${MAX_BODY_BYTES} bytes`));
        req.resume();
      } else chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => {
      try {
        resolve(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks)));
      } catch {
        reject(new HttpProblem(400, 'MALFORMED_BODY', 'the body is not UTF-8'));
      }
    });
  });
}

/** The method of each path the witness answers. */
const METHOD_OF: Record<string, string> = { '/add-checkpoint': 'POST', '/health/live': 'GET', '/health/ready': 'GET', '/metrics': 'GET' };

/** The path of a request target (origin or absolute form); a target that is no URL is a 400, not a failure of the witness. */
function pathOf(target: string): string {
  try {
    return new URL(target, 'http://witness').pathname;
  } catch {
    throw new HttpProblem(400, 'MALFORMED_REQUEST', `the request target ${JSON.stringify(target)} is neither a path nor a URL`);
  }
}

/** The server's health result (Terminus's shape), with the witness's one check. */
const healthResult = (store?: 'up' | 'down', message?: string) => {
  const checks = store === undefined ? {} : { store: store === 'up' ? { status: 'up' } : { status: 'down', message } };
  return { status: store === 'down' ? 'error' : 'ok', info: store === 'up' ? checks : {}, error: store === 'down' ? checks : {}, details: checks };
};

/** The witness's HTTP interface: POST /add-checkpoint of C2SP tlog-witness, /metrics, /health/live and /health/ready. */
export function createWitnessServer({ cosigner, logKeys, store, metrics, metricsToken, requestTimeoutMs, onOutcome, now = () => new Date() }: WitnessServerOptions): Server {
  const addCheckpoint = async (text: string): Promise<AddCheckpointOutcome> => {
    let body;
    try {
      body = parseAddCheckpointBody(text);
    } catch (error) {
      if (error instanceof MalformedBody) throw new HttpProblem(400, 'MALFORMED_BODY', error.message);
      throw error;
    }
    const submitted = submittedCheckpoint(body.note, logKeys);
    if (!('checkpoint' in submitted)) return submitted;
    const at = now();
    const outcome = await store.update(submitted.origins, (held) => {
      const result = decideAddCheckpoint(body, submitted, held, cosigner, Math.floor(at.getTime() / 1000));
      const { conflict } = 'conflict' in result ? result : {};
      const kind = addCheckpointResult(result);
      const evidence =
        conflict && isEvidence(kind)
          ? { origin: conflict.cosigned.origin, kind, size: conflict.refused.size, cosignedNote: conflict.cosigned.note, refusedNote: conflict.refused.note, refusedAt: at.toISOString() }
          : undefined;
      return { store: result.status === 200 ? result.store : undefined, evidence, result };
    });
    onOutcome?.(submitted.checkpoint.origin, outcome);
    return outcome;
  };

  const ready = (res: ServerResponse): void => {
    try {
      store.check();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(healthResult('up')));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const body = problem(503, 'NOT_READY', `Not ready: store down (${reason}).`, { checks: healthResult('down', reason).details });
      res.writeHead(503, { 'content-type': PROBLEM_CONTENT_TYPE, 'retry-after': '5' }).end(JSON.stringify(body));
    }
  };

  const answer = (res: ServerResponse, outcome: AddCheckpointOutcome): void => {
    if (outcome.status === 200) res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(outcome.cosignature);
    else if ('latestSize' in outcome) res.writeHead(409, { 'content-type': TLOG_SIZE_CONTENT_TYPE }).end(`${outcome.latestSize}\n`);
    else res.writeHead(outcome.status, { 'content-type': PROBLEM_CONTENT_TYPE }).end(JSON.stringify(problem(outcome.status, outcome.code, outcome.detail)));
  };

  // No Host is needed to answer: Node's own refusal of a request without one would be a bare 400.
  // A deadline for the request's arrival: Node's default (5 min) let a client trickling a body hold a connection that long, and WITNESS_MAX_CONNECTIONS of them the witness.
  const server = createServer({ requireHostHeader: false, ...requestDeadline(requestTimeoutMs) }, (req, res) => {
    const route = async (): Promise<void> => {
      const path = pathOf(req.url ?? '/');
      const method = METHOD_OF[path];
      if (method !== undefined && req.method !== method) throw new HttpProblem(405, 'METHOD_NOT_ALLOWED', `${path} is a ${method}, not a ${req.method}`, { allow: method });
      if (path === '/health/live') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(healthResult()));
      } else if (path === '/health/ready') ready(res);
      else if (path === '/metrics') {
        const token = bearerToken(req.headers.authorization);
        if (metricsToken !== undefined && (token === undefined || !sameSecret(token, metricsToken))) {
          throw new HttpProblem(401, 'UNAUTHENTICATED', '/metrics needs the METRICS_TOKEN of this deployment.');
        }
        res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(await metrics.registry.metrics());
      } else if (path === '/add-checkpoint') {
        let outcome: AddCheckpointOutcome;
        try {
          outcome = await addCheckpoint(await readBody(req));
        } catch (error) {
          if (error instanceof HttpProblem) metrics.count('malformed');
          throw error;
        }
        metrics.count(addCheckpointResult(outcome));
        answer(res, outcome);
      } else throw new HttpProblem(404, 'NOT_FOUND', `no ${path} here: this witness answers POST /add-checkpoint`);
    };
    route().catch((error: unknown) => {
      const known = error instanceof StoreUnavailable ? new HttpProblem(503, 'STORE_UNAVAILABLE', `${error.message}. Try again shortly.`) : error;
      const status = known instanceof HttpProblem ? known.status : 500;
      const body = known instanceof HttpProblem ? problem(status, known.code, known.message) : problem(500, 'INTERNAL', 'the witness failed to answer');
      const headers = {
        'content-type': PROBLEM_CONTENT_TYPE,
        ...(known instanceof HttpProblem ? known.headers : {}),
        ...(status === 413 ? { connection: 'close' } : {}),
        ...(status === 503 ? { 'retry-after': '5' } : {}),
      };
      res.writeHead(status, headers).end(JSON.stringify(body));
    });
  });
  // Requests Node refuses before they reach the handler (malformed HTTP, headers too large): problems too, as the server answers them.
  server.on('clientError', answerClientError);
  server.on('checkExpectation', (req, res) => {
    const body = problem(417, 'EXPECTATION_FAILED', `Expect: ${req.headers.expect} is not an expectation this witness meets (only 100-continue)`);
    res.writeHead(417, { 'content-type': PROBLEM_CONTENT_TYPE, connection: 'close' }).end(JSON.stringify(body));
  });
  return server;
}
