/** A line longer than the splitter takes: it is not kept, whatever the length of the text. */
export class LineTooLong extends Error {
  constructor(readonly maxLength: number) {
    super(`the line holds more than ${maxLength} characters`);
    this.name = 'LineTooLong';
  }
}

/**
 * Splits NDJSON text, chunk by chunk, into lines (without "\n" or "\r\n"), calling `onLine` for
 * each: the verifier's read path. A plain loop over indexOf: readline's events and an async
 * iterator's promise per line cost about as much as the hashing they feed. Only the new chunk is
 * searched and at most `maxLength` characters of a line are kept (LineTooLong past them), so a
 * file with no newline costs neither quadratic time nor memory in its size. Pure (no node:
 * module), so a browser may feed it a fetch body decoded with TextDecoder.
 */
export class LineSplitter {
  private rest = '';

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxLength = Infinity,
  ) {}

  push(chunk: string): void {
    let start = 0;
    for (let end = chunk.indexOf('\n'); end >= 0; end = chunk.indexOf('\n', start)) {
      const line = this.rest === '' ? chunk.slice(start, end) : this.rest + chunk.slice(start, end);
      this.rest = '';
      this.emit(line.endsWith('\r') ? line.slice(0, -1) : line);
      start = end + 1;
    }
    if (this.rest.length + chunk.length - start > this.maxLength) throw new LineTooLong(this.maxLength);
    this.rest += chunk.slice(start);
  }

  /** The last line, when the text does not end with a newline. */
  end(): void {
    if (this.rest !== '') this.emit(this.rest.endsWith('\r') ? this.rest.slice(0, -1) : this.rest);
    this.rest = '';
  }

  private emit(line: string): void {
    if (line.length > this.maxLength) throw new LineTooLong(this.maxLength);
    this.onLine(line);
  }
}
