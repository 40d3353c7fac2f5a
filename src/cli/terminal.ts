import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import { CliError, usageError } from './cli-error';
import type { TerminalInput } from './cli-io';
import { EXIT } from './exit-codes';
import { sizeShown } from './read-bounded-text';
import { onOneLineShown } from '../shared/hidden-characters';

const interrupted = (): CliError => new CliError(EXIT.INTERRUPTED, 'Interrupted.');
const inputEnded = (): CliError => new CliError(EXIT.USAGE, 'No answer: the input ended.');

/** Far above any answer typed or piped (a verification code is 15 digits), as a secret's bound is. */
const MAX_PIPED_LINE_BYTES = 64 * 1024;

/**
 * Reads lines from a TTY in raw mode, one per prompt, echoing nothing (not even stars: the length
 * of a passphrase is a hint too). Raw mode is on before the first prompt shows and stays on until
 * the last answer, so nothing typed ahead is ever echoed. Backspace and Ctrl-U edit, Ctrl-C
 * interrupts, Ctrl-D on an empty line ends. Prompts are shown on one line each, escaped as Output does.
 */
export function readHiddenLines(input: TerminalInput, output: Writable, asked: readonly string[]): Promise<string[]> {
  const prompts = asked.map(onOneLineShown);
  return new Promise((resolve, reject) => {
    const answers: string[] = [];
    let chars: string[] = [];
    const finish = (error?: CliError) => {
      input.removeListener('data', onData);
      input.setRawMode!(false);
      input.pause();
      output.write('\n');
      if (error) reject(error);
      else resolve(answers);
    };
    const onData = (chunk: string) => {
      const typed = [...chunk];
      for (let i = 0; i < typed.length; i++) {
        const ch = typed[i];
        if (ch === '\r' || ch === '\n') {
          if (ch === '\r' && typed[i + 1] === '\n') i++;
          answers.push(chars.join(''));
          chars = [];
          if (answers.length === prompts.length) {
            const rest = typed.slice(i + 1).join('');
            if (rest) input.unshift(rest); // typed ahead: left for the next reader
            return finish();
          }
          output.write(`\n${prompts[answers.length]}`);
        } else if (ch === '\u0003') return finish(interrupted());
        else if (ch === '\u0004' && chars.length === 0) return finish(inputEnded());
        else if (ch === '\u007f' || ch === '\b') chars.pop();
        else if (ch === '\u0015') chars = [];
        else if (ch >= ' ') chars.push(ch);
      }
    };
    input.setEncoding('utf8');
    input.setRawMode!(true);
    output.write(prompts[0]);
    input.on('data', onData);
    input.resume();
  });
}

/**
 * Reads one visible line: from the terminal with line editing, or the next line of piped input.
 * A prompt may name what a server answered (a requester): shown on its one line, escaped as Output does.
 */
export async function readVisibleLine(input: TerminalInput, output: Writable, asked: string): Promise<string> {
  const prompt = onOneLineShown(asked);
  if (input.isTTY) return readTerminalLine(input, output, prompt);
  output.write(prompt);
  const line = await readPipedLine(input, MAX_PIPED_LINE_BYTES);
  output.write('\n'); // piped answers are not echoed: end the prompt's line
  // A pipe that never sends a line end (a device, a writer that goes on) was waited on, and held whole.
  if (line === undefined) throw usageError(`The input holds a line of more than ${sizeShown(MAX_PIPED_LINE_BYTES)}: no answer to "${prompt.trim()}" is that long. Is it the right input?`);
  return line.trim();
}

/** One line typed on the terminal, with line editing. */
function readTerminalLine(input: TerminalInput, output: Writable, prompt: string): Promise<string> {
  const lines = createInterface({ input, output, terminal: true });
  return new Promise((resolve, reject) => {
    let answered = false;
    lines.on('SIGINT', () => {
      lines.close();
      reject(interrupted());
    });
    lines.on('close', () => {
      if (!answered) reject(inputEnded());
    });
    lines.question(prompt, (answer) => {
      answered = true;
      lines.close();
      resolve(answer.trim());
    });
  });
}

/**
 * The next line of piped input, read no further than `max` bytes (undefined past them); what
 * follows it is left for the next reader. The input's end ends the last line; with nothing read, no answer.
 */
function readPipedLine(input: TerminalInput, max: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const taken: Buffer[] = [];
    let length = 0;
    let received = false;
    const finish = (settle: () => void) => {
      input.removeListener('data', onData);
      input.removeListener('end', onEnd);
      input.removeListener('error', onError);
      input.pause();
      settle();
    };
    const line = () => Buffer.concat(taken).toString('utf8');
    const onData = (chunk: Buffer | string) => {
      received = true;
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      const end = bytes.indexOf(0x0a);
      const part = end === -1 ? bytes : bytes.subarray(0, end);
      taken.push(part);
      length += part.length;
      if (length > max) return finish(() => resolve(undefined));
      if (end === -1) return;
      if (end + 1 < bytes.length) input.unshift(bytes.subarray(end + 1));
      finish(() => resolve(line()));
    };
    const onEnd = () => finish(() => (received ? resolve(line()) : reject(inputEnded())));
    const onError = (error: Error) => finish(() => reject(error));
    input.on('data', onData);
    input.on('end', onEnd);
    input.on('error', onError);
    input.resume();
  });
}
