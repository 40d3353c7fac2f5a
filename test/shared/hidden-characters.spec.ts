import { everyTextShown, onOneLineShown, TEXT_OF_LINES, TEXT_OF_ONE_LINE, withHiddenShown } from '../../src/shared/hidden-characters';

const HIDDEN_CODES = [0x00, 0x08, 0x0b, 0x0d, 0x1b, 0x1f, 0x7f, 0x85, 0x9f, 0x2028, 0x2029, 0x202a, 0x202e, 0x2066, 0x2069];
const SHOWN = ['Société Générale — 東京支社', 'Zoë Ångström 李小龍 👩🏽‍💻', 'Zoe\u0308', 'مرحبا بالعالم', '❤️ ok'];

describe('hidden characters', () => {
  it('lets letters of every script, combining marks, emoji with their joiners and variation selectors through', () => {
    for (const text of SHOWN) {
      expect(TEXT_OF_ONE_LINE.test(text)).toBe(true);
      expect(TEXT_OF_LINES.test(text)).toBe(true);
      expect(withHiddenShown(text)).toBe(text);
    }
  });

  it('keeps line feeds and tabs in text of lines only, and refuses every other control and bidirectional formatting character in both', () => {
    expect(TEXT_OF_LINES.test('first line\nsecond\tcolumn')).toBe(true);
    expect(TEXT_OF_ONE_LINE.test('first line\nsecond')).toBe(false);
    expect(TEXT_OF_ONE_LINE.test('a\tb')).toBe(false);
    for (const code of HIDDEN_CODES) {
      const text = `a${String.fromCodePoint(code)}b`;
      expect({ code, oneLine: TEXT_OF_ONE_LINE.test(text), lines: TEXT_OF_LINES.test(text) }).toEqual({ code, oneLine: false, lines: false });
    }
  });

  it('shows each as its escape for a terminal, leaving line feeds and tabs', () => {
    expect(withHiddenShown('\u001b[2J\u001b[HAdmin')).toBe('\\u001b[2J\\u001b[HAdmin');
    expect(withHiddenShown('Eve\u202Egnp.exe\r\nok\tyes')).toBe('Eve\\u202egnp.exe\\u000d\nok\tyes');
    for (const code of HIDDEN_CODES) expect(withHiddenShown(String.fromCodePoint(code))).toBe(`\\u${code.toString(16).padStart(4, '0')}`);
  });

  it('shows line feeds and tabs as escapes too for text meant as one line, and the letters of every script as they are', () => {
    expect(onOneLineShown('Eve\u202Egnp.exe\r\nINFO forged\tyes')).toBe('Eve\\u202egnp.exe\\u000d\\u000aINFO forged\\u0009yes');
    for (const text of SHOWN) expect(onOneLineShown(text)).toBe(text);
  });

  it('shows every text of a record so, names of members too, and leaves numbers, booleans and other objects as they are', () => {
    const at = new Date(0);
    expect(everyTextShown({ 'a\u001b': ['x\u202e', 1, true, null], at, nested: { why: 'a\nb' } })).toEqual({ 'a\\u001b': ['x\\u202e', 1, true, null], at, nested: { why: 'a\\u000ab' } });
    // A parsed query is a record of a prototype of its own: walked all the same.
    const query = Object.assign(new (class ParsedQuery {})(), { name: 'evil\u202egnp.exe' });
    expect(everyTextShown(query)).toEqual({ name: 'evil\\u202egnp.exe' });
  });
});
