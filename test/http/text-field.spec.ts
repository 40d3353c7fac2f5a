import { textField } from '../../src/http/dto/fields';

describe('textField', () => {
  const oneLine = textField('a name', 200);
  const lines = textField('a reason', 200, 'lines');

  it('takes letters of every script, emoji with their joiners and variation selectors, and combining marks', () => {
    for (const text of ['Société Générale — 東京支社', 'Zoë Ångström 李小龍 👩🏽‍💻', 'Zoe\u0308', 'مرحبا بالعالم', '❤️ ok']) {
      expect(oneLine.safeParse(text).success).toBe(true);
      expect(lines.safeParse(text).success).toBe(true);
    }
  });

  it('keeps line feeds and tabs in a text of lines only, and refuses every other control and bidirectional formatting character in both', () => {
    expect(lines.safeParse('first line\nsecond\tcolumn').success).toBe(true);
    expect(oneLine.safeParse('first line\nsecond').success).toBe(false);
    expect(oneLine.safeParse('a\tb').success).toBe(false);
    const refusedInBoth = [0x00, 0x08, 0x0b, 0x0d, 0x1b, 0x1f, 0x7f, 0x85, 0x9f, 0x2028, 0x2029, 0x202a, 0x202e, 0x2066, 0x2069];
    for (const code of refusedInBoth) {
      const text = `a${String.fromCodePoint(code)}b`;
      expect({ code, oneLine: oneLine.safeParse(text).success, lines: lines.safeParse(text).success }).toEqual({ code, oneLine: false, lines: false });
    }
  });
});
