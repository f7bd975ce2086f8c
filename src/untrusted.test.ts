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
