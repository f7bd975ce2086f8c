/**
 * Attacker-controlled text (user agents, resource names, tags, request parameters) is hostile to
 * the tools that display it (DESIGN.md §3.9). Every printer passes such text through one of these.
 */

/* eslint-disable no-control-regex -- matching control characters is the point here */
// C0 and C1 controls (tab and newline too, so one value stays on one line), DEL, the Unicode
// bidirectional controls used in "Trojan source" tricks (U+202A–U+202E, U+2066–U+2069, marks), the
// line and paragraph separators (a line break to some viewers), and the invisible zero-width space,
// word joiner and byte-order mark that make two names look the same.
const CONTROL =
  /[\u0000-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028\u2029\u202a-\u202e\u2060\u2066-\u2069\ufeff]/g;

// Whole escape sequences (CSI, OSC, DCS/SOS/PM/APC strings, two-byte ESC forms), so that their
// parameters do not survive as stray text.
const SEQUENCE =
  /\u001b\[[0-?]*[ -/]*[@-~]|\u009b[0-?]*[ -/]*[@-~]|\u001b[\]PX^_][\s\S]*?(?:\u0007|\u001b\\|\u009c)|\u001b[@-Z\\-_]/g;
/* eslint-enable no-control-regex */

/**
 * Text safe to write to a terminal: escape sequences are replaced by a visible marker and every
 * other control character by its `\xHH` / `\uHHHH` spelling, so the responder sees that something
 * was there without the terminal acting on it.
 */
export function forTerminal(text: string): string {
  return text
    .replace(SEQUENCE, (seq) => `\\e${visible(seq.slice(1))}`)
    .replace(CONTROL, (c) => {
      const code = c.charCodeAt(0);
      return code <= 0xff
        ? `\\x${code.toString(16).padStart(2, '0')}`
        : `\\u${code.toString(16).padStart(4, '0')}`;
    });
}

function visible(rest: string): string {
  return rest.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

const HTML: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Text safe inside HTML element content and quoted attribute values. */
export function forHtml(text: string): string {
  return forTerminal(text).replace(/[&<>"'`]/g, (c) => HTML[c] ?? c);
}

/**
 * A CSV field that a spreadsheet will not evaluate: values starting with a formula trigger
 * (`= + - @`, tab, CR) get a leading apostrophe (OWASP CSV-injection advice); the field is then
 * quoted per RFC 4180.
 */
export function forCsv(text: string): string {
  let value = forTerminal(text);
  if (/^[=+\-@\t\r]/.test(text)) value = `'${value}`;
  return /[",\n\r]/.test(value) || value !== value.trim() || value.startsWith("'")
    ? `"${value.replace(/"/g, '""')}"`
    : value;
}
