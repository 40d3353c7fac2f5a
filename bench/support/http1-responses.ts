/** One HTTP/1.1 response as the load generator needs it: its status, and its body only to report a failure. */
export interface Http1Response {
  status: number;
  body: Buffer;
}

const HEAD_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = /\r\ncontent-length:\s*(\d+)/i;

/**
 * Splits the bytes of one keep-alive connection into responses (a response to each request, in
 * order). The servers benched answer with a Content-Length (Fastify does for every body it
 * sends; 204 and 304 have no body); anything else (chunked, or a response ended by closing) is refused loudly rather than
 * miscounted.
 */
export class Http1Responses {
  private pending: Buffer = Buffer.alloc(0);

  /** The responses completed by `chunk`. */
  push(chunk: Buffer): Http1Response[] {
    let bytes = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const complete: Http1Response[] = [];
    for (;;) {
      const headEnd = bytes.indexOf(HEAD_END);
      if (headEnd < 0) break;
      const head = bytes.toString('latin1', 0, headEnd);
      const status = Number(head.slice(9, 12));
      const length = CONTENT_LENGTH.exec(head);
      if (!length && status !== 204 && status !== 304) throw new Error(`response without Content-Length: ${head.split('\r\n', 1)[0]}`);
      const end = headEnd + HEAD_END.length + (length ? Number(length[1]) : 0);
      if (bytes.length < end) break;
      complete.push({ status, body: bytes.subarray(headEnd + HEAD_END.length, end) });
      bytes = bytes.subarray(end);
    }
    this.pending = bytes;
    return complete;
  }
}
