import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { CreateLoginProfileCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scenarioBed, type ScenarioBed } from '../scope/test-support/respond.js';
import type { TestCreds } from '../test-support/cli.js';

/** Every value of the named fields, wherever the simulated account keeps them. */
function fieldValues(value: unknown, fields: string[], found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) fieldValues(v, fields, found);
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      if (fields.includes(k) && typeof v === 'string' && v.length >= 8) found.add(v);
      else fieldValues(v, fields, found);
    }
  return found;
}

/** Every file under a folder, with its mode; folders too. */
function walk(dir: string): { path: string; dir: boolean; mode: number }[] {
  const out: { path: string; dir: boolean; mode: number }[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = lstatSync(path);
    out.push({ path, dir: st.isDirectory(), mode: st.mode & 0o777 });
    if (st.isDirectory()) out.push(...walk(path));
  }
  return out;
}

describe('no secret at rest: respond --rotate --yes on the persistence scenario (one run)', () => {
  let bed: ScenarioBed;
  let run: { code: number; out: string; err: string };
  let secrets: Set<string>;
  let tokens: Set<string>;
  let created: string[];
  beforeAll(async () => {
    bed = await scenarioBed('persistence');
    const leaked = bed.leaked as TestCreds;
    const client = { endpoint: bed.sim.endpoint, region: 'us-east-1', maxAttempts: 1 };
    // A console password on the leaked key's user (recover resets it) and a live attacker session.
    const iam = Object.values(bed.sim.state.data.accounts).find(
      (a) => a.iam.accessKeys[leaked.accessKeyId],
    )!.iam;
    const owner = iam.users[iam.accessKeys[leaked.accessKeyId]!.userName!]!;
    if (!owner.loginProfile)
      await new IAMClient({ ...client, credentials: bed.responder }).send(
        new CreateLoginProfileCommand({ UserName: owner.userName, Password: 'Leaked-Owner-Pw-2026!' }),
      );
    await new STSClient({ ...client, credentials: leaked }).send(new GetSessionTokenCommand({}));
    const secretOut = join(bed.root, 'new-credentials.txt');
    run = await bed.cli(['respond', leaked.accessKeyId, '--yes', '--rotate', '--secret-out', secretOut]);
    created = readFileSync(secretOut, 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'));
    secrets = fieldValues(bed.sim.state.data, ['secretAccessKey', 'password']);
    for (const c of created) secrets.add(c);
    tokens = fieldValues(bed.sim.state.data, ['sessionToken']);
  }, 300_000);
  afterAll(() => bed?.sim.stop());

  it('the run finished and made a new key and a new password (so the search below looks for them)', () => {
    expect(run.code, run.err).toBeOneOf([0, 3]);
    expect(created.length).toBeGreaterThanOrEqual(2);
    const sessions = Object.values(bed.sim.state.data.sessions);
    expect(sessions.some((s) => s.sourceAccessKeyId === bed.truth.leakedAccessKeyId)).toBe(true);
    // The responder's, the leaked key's, the attacker's backdoor key, sessions, passwords, the new ones.
    expect(secrets.size).toBeGreaterThanOrEqual(8);
    expect(tokens.size).toBeGreaterThanOrEqual(1);
  });

  it('no SecretAccessKey, SessionToken or password in any file of the case, none in the output', () => {
    const files = walk(bed.caseDir()).filter((f) => !f.dir);
    expect(files.length).toBeGreaterThan(20);
    const leaks: string[] = [];
    for (const f of files) {
      // Trail files are gzip: searched as their text.
      const bytes = f.path.endsWith('.gz') ? gunzipSync(readFileSync(f.path)) : readFileSync(f.path);
      // As text and as the UTF-16 some stores use; DuckDB's file included.
      const texts = [bytes.toString('latin1'), bytes.toString('utf16le')];
      for (const s of secrets)
        if (texts.some((t) => t.includes(s))) leaks.push(`${f.path}: ${s.slice(0, 6)}…`);
      for (const t of tokens)
        if (texts.some((x) => x.includes(t))) leaks.push(`${f.path}: token ${t.slice(0, 9)}…`);
    }
    expect(leaks).toEqual([]);
    for (const s of [...secrets, ...tokens]) {
      expect(run.out.includes(s), 'stdout').toBe(false);
      expect(run.err.includes(s), 'stderr').toBe(false);
    }
  });

  it('CloudTrail files that carried session tokens are kept with fingerprints, the manifest saying what came in', () => {
    // CloudTrail records the token of every STS response it logs (never the secret key): the
    // attacker's GetSessionToken above is one. The kept copy has `redacted sha256:…` instead.
    const manifest = readFileSync(join(bed.caseDir(), 'evidence', 'manifest.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { path: string; received?: { sha256: string; redacted: number } });
    const redacted = manifest.filter((r) => r.received);
    expect(redacted.length).toBeGreaterThanOrEqual(1);
    for (const r of redacted) {
      expect(r.path).toMatch(/^cloudtrail\//);
      expect(r.received!.redacted).toBeGreaterThanOrEqual(1);
    }
    const kept = redacted.map((r) => {
      const bytes = readFileSync(join(bed.caseDir(), 'evidence', r.path));
      return (r.path.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
    });
    // Both ways CloudTrail reaches a case: LookupEvents pages and the trail bucket's files.
    expect(redacted.some((r) => r.path.startsWith('cloudtrail/lookup-events/'))).toBe(true);
    expect(redacted.some((r) => r.path.startsWith('cloudtrail/s3/') && r.path.endsWith('.gz'))).toBe(true);
    expect(kept.some((t) => /redacted sha256:[0-9a-f]{16}/.test(t))).toBe(true);
  });

  it('the case folder and every folder in it are 0700, every file 0600', () => {
    const entries = [
      { path: bed.caseDir(), dir: true, mode: lstatSync(bed.caseDir()).mode & 0o777 },
      ...walk(bed.caseDir()),
    ];
    const open = entries
      .filter((e) => e.mode !== (e.dir ? 0o700 : 0o600))
      .map((e) => `${e.path} ${e.mode.toString(8)}`);
    expect(open).toEqual([]);
  });
});
