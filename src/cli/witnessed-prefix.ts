import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { CliError } from './cli-error';
import { EXIT } from './exit-codes';
import { sentence } from '../shared/hidden-characters';
import { withoutByteOrderMark } from '../shared/byte-order-mark';
import type { Checkpoint } from '../transparency/checkpoint';
import { leafInput } from '../transparency/event-leaf';
import { CompactRange, leafHash } from '../transparency/merkle-tree';
import { LineSplitter } from '../transparency/ndjson-lines';
import { MAX_LINE_LENGTH, parseRecord } from '../transparency/verifier/export-record';
import { streamOf } from '../transparency/verifier/log-streams';

/**
 * Whether an export, read as it streams, extends the checkpoint the CLI's witness accepted: the
 * root over its first `size` events (each line's leaf, checkpoint lines aside) is the checkpoint's.
 * Only the tree is checked, in constant memory (its right edge); `audit verify` checks the rest.
 * A server that showed the witness one history and exports another (the same checkpoint, an
 * event edited, dropped or reordered) is seen here rather than by a later `audit verify
 * --trusted-checkpoint`, which an auditor might never run.
 */
export class WitnessedPrefix {
  private readonly tree = CompactRange.empty();
  private readonly decoder = new StringDecoder('utf8');
  private readonly splitter = new LineSplitter((line) => this.line(line), MAX_LINE_LENGTH);
  private lines = 0;
  private fault: string | undefined;
  /** The first `size` events read gave the checkpoint's root (an empty tree's at once). */
  private matched: boolean;

  constructor(private readonly checkpoint: Checkpoint) {
    this.matched = checkpoint.size === 0;
  }

  push(chunk: Buffer | string): void {
    if (this.fault !== undefined || this.matched) return;
    this.split(() => this.splitter.push(typeof chunk === 'string' ? chunk : this.decoder.write(chunk)));
  }

  /** Why the export read does not extend the checkpoint, or undefined when it does. */
  finish(): string | undefined {
    if (this.fault === undefined && !this.matched) {
      this.split(() => {
        this.splitter.push(this.decoder.end());
        this.splitter.end();
      });
    }
    if (this.fault !== undefined) return this.fault;
    if (!this.matched) return `it holds ${this.tree.size} events of the ${this.checkpoint.size} the checkpoint signs: events were removed`;
    return undefined;
  }

  /** A line too long to be one (LineTooLong) is no record either. */
  private split(push: () => void): void {
    try {
      push();
    } catch (error) {
      this.fault ??= `line ${this.lines + 1} is no export record: ${(error as Error).message}`;
    }
  }

  private line(text: string): void {
    if (this.fault !== undefined || this.matched) return;
    const line = this.lines === 0 ? withoutByteOrderMark(text) : text;
    if (line.trim() === '') {
      this.lines += 1;
      return;
    }
    const record = parseRecord(line);
    this.lines += 1;
    if (streamOf(record.stream).kind === 'checkpoint') return;
    this.tree.append(leafHash(leafInput(record)));
    if (this.tree.size < this.checkpoint.size) return;
    if (Buffer.compare(this.tree.root(), this.checkpoint.rootHash) !== 0) {
      this.fault = `its first ${this.checkpoint.size} events (to line ${this.lines}) have another root than the checkpoint's: they are not the events the checkpoint signs`;
      return;
    }
    this.matched = true;
  }
}

/** `parts` read through as one export (each file up to its byte `end`, exclusive): why they do not extend `checkpoint`, or undefined. */
export async function filesExtend(checkpoint: Checkpoint, parts: ReadonlyArray<{ path: string; end?: number }>): Promise<string | undefined> {
  const prefix = new WitnessedPrefix(checkpoint);
  for (const { path, end } of parts) {
    if (end === 0) continue;
    for await (const chunk of createReadStream(path, end === undefined ? {} : { end: end - 1 })) prefix.push(chunk as Buffer);
  }
  return prefix.finish();
}

/** The refusal of an export that does not extend the witnessed checkpoint (exit 7): `written` says what became of its bytes. */
export function notWitnessed(checkpoint: Checkpoint, reason: string, written: string): CliError {
  return new CliError(
    EXIT.FORKED,
    `${sentence`REFUSED: the export does not extend the checkpoint of size ${checkpoint.size} this CLI witnessed: ${reason}.`} The server showed the witness one history and exported another. ${written} Keep your saved checkpoint, and alert your security team.`,
  );
}
