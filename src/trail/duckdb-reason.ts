import { basename } from 'node:path';

const MAX = 200;

/**
 * DuckDB's error about one input file as one short line that names the file: "bad.json: malformed
 * JSON at byte 77 in record/value 2: invalid UTF-8 encoding in string". DuckDB's own text spans
 * several lines, starts with its error class and repeats the full path.
 */
export function duckdbReason(message: string, path: string): string {
  const name = basename(path);
  const text = message
    .split('\n')[0]!
    .replace(/^[A-Za-z ]*Error:\s*/, '')
    .replace(/ in file "[^"]*",?/, '')
    .split(path)
    .join(name)
    .replace(/\s+/g, ' ')
    .replace(/[.\s]+$/, '')
    .trim();
  const line = `${name}: ${text.charAt(0).toLowerCase()}${text.slice(1)}`;
  return line.length > MAX ? `${line.slice(0, MAX - 1)}…` : line;
}
