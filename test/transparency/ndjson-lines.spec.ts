import { LineSplitter, LineTooLong } from '../../src/transparency/ndjson-lines';

const split = (chunks: string[]): string[] => {
  const lines: string[] = [];
  const splitter = new LineSplitter((line) => lines.push(line));
  chunks.forEach((chunk) => splitter.push(chunk));
  splitter.end();
  return lines;
};

describe('NDJSON line splitter', () => {
  const text = '{"a":1}\r\n{"b":"é\\n"}\n\n{"c":3}';

  it('gives the lines readline gives, wherever the chunks are cut', () => {
    const expected = ['{"a":1}', '{"b":"é\\n"}', '', '{"c":3}'];
    for (let cut = 0; cut <= text.length; cut++) expect(split([text.slice(0, cut), text.slice(cut)])).toEqual(expected);
    expect(split([...text])).toEqual(expected);
  });

  it('keeps a last line without newline, and a trailing newline adds no line', () => {
    expect(split(['x\ny'])).toEqual(['x', 'y']);
    expect(split(['x\ny\n'])).toEqual(['x', 'y']);
    expect(split(['x\r', '\n'])).toEqual(['x']);
    expect(split([''])).toEqual([]);
  });

  it('refuses a line longer than its bound as soon as it is, before its newline comes, wherever the chunks are cut', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line), 4);
    splitter.push('abcd\r\nab');
    expect(() => splitter.push('cde')).toThrow(LineTooLong);
    expect(lines).toEqual(['abcd']);
    expect(() => new LineSplitter(() => undefined, 4).push('abcdef\n')).toThrow('the line holds more than 4 characters');
  });
});
