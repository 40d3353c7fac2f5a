import { Transform } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { withHiddenShown } from '../shared/hidden-characters';

/** Whether a stream is a terminal (process.stdout on one); a test's or a pipe's is not. */
export const isTerminal = (stream: unknown): boolean => (stream as { isTTY?: unknown }).isTTY === true;

/**
 * A server's bytes on their way to a terminal, each control, bidirectional formatting or invisible
 * character written as its escape, as Output writes any text a server sent: an export a hostile
 * server sends with an OSC 52 sequence in it would set the clipboard, and others clear the screen or
 * reorder what follows. UTF-8 decoded across chunks; line feeds and tabs kept, so lines stay lines.
 */
export function shownOnTerminal(): Transform {
  const decoder = new StringDecoder('utf8');
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      done(null, withHiddenShown(decoder.write(chunk)));
    },
    flush(done) {
      done(null, withHiddenShown(decoder.end()));
    },
  });
}
