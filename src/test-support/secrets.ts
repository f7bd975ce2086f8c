import { lstatSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ATTACKED_STATE_FILE, STATE_FILE } from '../cli/commands/demo-run.js';
import { SimState } from '../sim/index.js';

/** Every string value (8 characters or more) of the named fields, wherever a document keeps them. */
export function fieldValues(value: unknown, fields: string[], found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) fieldValues(v, fields, found);
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      if (fields.includes(k) && typeof v === 'string' && v.length >= 8) found.add(v);
      else fieldValues(v, fields, found);
    }
  return found;
}

/** The secret fields of the simulated account's state: secret keys, passwords, session tokens. */
export const SECRET_FIELDS = ['secretAccessKey', 'password', 'sessionToken'];

/** Every file and folder under a folder, with its mode. */
export function walk(dir: string): { path: string; dir: boolean; mode: number }[] {
  const out: { path: string; dir: boolean; mode: number }[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = lstatSync(path);
    out.push({ path, dir: st.isDirectory(), mode: st.mode & 0o777 });
    if (st.isDirectory()) out.push(...walk(path));
  }
  return out;
}

/**
 * `file: secret…` for each secret found in a file under `dir` (trail files unzipped; as text and
 * as UTF-16), files `skip` matches aside.
 */
export function secretsInFiles(dir: string, secrets: Iterable<string>, skip?: RegExp): string[] {
  const wanted = [...secrets];
  const leaks: string[] = [];
  for (const f of walk(dir)) {
    if (f.dir || skip?.test(f.path)) continue;
    const raw = readFileSync(f.path);
    const bytes = f.path.endsWith('.gz') ? gunzipSync(raw) : raw;
    const texts = [bytes.toString('latin1'), bytes.toString('utf16le')];
    for (const s of wanted) if (texts.some((t) => t.includes(s))) leaks.push(`${f.path}: ${s.slice(0, 6)}…`);
  }
  return leaks;
}

/**
 * The secret values of the simulated account a demo left beside its case (`sim-state.json`), and
 * where any of them turned up in the case's files — the state files aside (`sim-state.json`,
 * `sim-state-attacked.json`), since they are the simulator's own database, not the case's.
 */
export function demoCaseSecrets(dir: string): { secrets: Set<string>; leaks: string[] } {
  const secrets = fieldValues(SimState.load(join(dir, STATE_FILE)).data, SECRET_FIELDS);
  const states = [STATE_FILE, ATTACKED_STATE_FILE].map((f) => f.replace(/[.-]/g, '\\$&'));
  const skip = new RegExp(`/(${states.join('|')})$`);
  return { secrets, leaks: secretsInFiles(dir, secrets, skip) };
}
