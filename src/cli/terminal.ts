import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import { CliError } from './cli-error';
import type { TerminalInput } from './cli-io';
import { EXIT } from './exit-codes';
import { onOneLineShown } from '../shared/hidden-characters';

const interrupted = (): CliError => new CliError(EXIT.INTERRUPTED, 'Interrupted.');
const inputEnded = (): CliError => new CliError(EXIT.USAGE, 'No answer: the input ended.');

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
export function readVisibleLine(input: TerminalInput, output: Writable, asked: string): Promise<string> {
  const prompt = onOneLineShown(asked);
  const lines = createInterface({ input, output, terminal: Boolean(input.isTTY) });
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
      if (!input.isTTY) output.write('\n'); // piped answers are not echoed: end the prompt's line
      resolve(answer.trim());
    });
  });
}
