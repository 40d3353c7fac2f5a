import { ASTRAL_INVISIBLE, everyTextShown, HIDDEN, INVISIBLE, JOINERS, jsonShown, onOneLineShown, SELECTOR, sentence, TAG, TEXT_OF_LINES, TEXT_OF_ONE_LINE, withHiddenShown } from '../../src/shared/hidden-characters';

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

  it("shows each value of a sentence on one line, the sentence's own text as written", () => {
    const id = 'req-1\nApproved: carol\u2028';
    expect(sentence`Key request ${id} is PENDING.\nNext: ${3} ${undefined}`).toBe('Key request req-1\\u000aApproved: carol\\u2028 is PENDING.\nNext: 3 undefined');
  });

  it('shows every text of a record so, names of members too, and leaves numbers, booleans and other objects as they are', () => {
    const at = new Date(0);
    expect(everyTextShown({ 'a\u001b': ['x\u202e', 1, true, null], at, nested: { why: 'a\nb' } })).toEqual({ 'a\\u001b': ['x\\u202e', 1, true, null], at, nested: { why: 'a\\u000ab' } });
    // A parsed query is a record of a prototype of its own: walked all the same.
    const query = Object.assign(new (class ParsedQuery {})(), { name: 'evil\u202egnp.exe' });
    expect(everyTextShown(query)).toEqual({ name: 'evil\\u202egnp.exe' });
  });

  it('counts as invisible, joining, selecting or tags exactly the default ignorable code points of Unicode (and the interlinear annotation characters), but for the bidirectional ones HIDDEN holds', () => {
    const whole = (pattern: string) => new RegExp(`^(?:${pattern})$`);
    const ours = [`[${INVISIBLE}]|${ASTRAL_INVISIBLE}`, `[${JOINERS}]`, SELECTOR, TAG].map(whole);
    const hidden = whole(`[${HIDDEN}]`);
    const unicode = /[\p{Default_Ignorable_Code_Point}\uFFF9-\uFFFB]/u;
    const differ: string[] = [];
    for (let code = 0; code <= 0x10ffff; code++) {
      if (code >= 0xd800 && code <= 0xdfff) continue;
      const character = String.fromCodePoint(code);
      const counted = ours.filter((set) => set.test(character)).length;
      const expected = unicode.test(character) && !hidden.test(character) ? 1 : 0;
      if (counted !== expected) differ.push(code.toString(16));
    }
    expect(differ).toEqual([]);
  });

  it('shows invisible characters as their escapes too (an astral one as its two UTF-16 escapes, as JSON writes it), and leaves joiners, selectors and a flag\'s tags as they are', () => {
    expect(withHiddenShown('Alice\u200B')).toBe('Alice\\u200b');
    expect(withHiddenShown('Al\u00ADice\u3164')).toBe('Al\\u00adice\\u3164');
    expect(withHiddenShown('Alice\u{E0041}\u{E0042}')).toBe('Alice\\udb40\\udc41\\udb40\\udc42');
    expect(onOneLineShown('Bob\uFEFF\n')).toBe('Bob\\ufeff\\u000a');
    const flag = 'Support \u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}';
    for (const text of [...SHOWN, flag, '\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645']) expect(withHiddenShown(text)).toBe(text);
    const value = { name: 'Alice\u200B\u{E0041}', flag };
    expect(JSON.parse(jsonShown(value))).toEqual(value);
    expect(jsonShown(value)).not.toMatch(/[\u200B\u{E0041}]/u);
  });
});
