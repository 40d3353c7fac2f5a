/**
 * Splits NDJSON text, chunk by chunk, into lines (without "\n" or "\r\n"), calling `onLine` for
 * each: the verifier's read path. A plain loop over indexOf: readline's events and an async
 * iterator's promise per line cost about as much as the hashing they feed. Pure (no node:
 * module), so a browser may feed it a fetch body decoded with TextDecoder.
 */
export class LineSplitter {
  private rest = '';

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: string): void {
    const text = this.rest === '' ? chunk : this.rest + chunk;
    let start = 0;
    for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
      this.onLine(text.charCodeAt(end - 1) === 13 && end > start ? text.slice(start, end - 1) : text.slice(start, end));
      start = end + 1;
    }
    this.rest = text.slice(start);
  }

  /** The last line, when the text does not end with a newline. */
  end(): void {
    if (this.rest !== '') this.onLine(this.rest.endsWith('\r') ? this.rest.slice(0, -1) : this.rest);
    this.rest = '';
  }
}
