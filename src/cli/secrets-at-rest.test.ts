import { lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { CreateLoginProfileCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scenarioBed, type ScenarioBed } from '../scope/test-support/respond.js';
import type { TestCreds } from '../test-support/cli.js';
import { fieldValues, secretsInFiles, walk } from '../test-support/secrets.js';
import { webhook, type Hook } from '../test-support/webhook.js';

describe('no secret at rest: respond --rotate --yes on the persistence scenario (one run)', () => {
  let bed: ScenarioBed;
  let run: { code: number; out: string; err: string };
  let secrets: Set<string>;
  let tokens: Set<string>;
  let created: string[];
  let hook: Hook;
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
    hook = await webhook();
    run = await bed.cli([
      'respond',
      leaked.accessKeyId,
      '--yes',
      '--rotate',
      '--secret-out',
      secretOut,
      '--notify',
      hook.url,
    ]);
    created = readFileSync(secretOut, 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'));
    secrets = fieldValues(bed.sim.state.data, ['secretAccessKey', 'password']);
    for (const c of created) secrets.add(c);
    tokens = fieldValues(bed.sim.state.data, ['sessionToken']);
  }, 300_000);
  afterAll(async () => {
    await hook?.close();
    await bed?.sim.stop();
  });

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
    expect(walk(bed.caseDir()).filter((f) => !f.dir).length).toBeGreaterThan(20);
    // Every file, DuckDB's included, as text and UTF-16; trail files unzipped.
    expect(secretsInFiles(bed.caseDir(), [...secrets, ...tokens])).toEqual([]);
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

  it('the executive briefing says the attacker’s items are removed and the owner has a new key; no step asks for one', async () => {
    const exec = await bed.cli(['report', '--kind', 'executive', '--format', 'md']);
    expect(exec.out).toMatch(/Attacker items removed\W+yes: removed or put back/);
    expect(exec.out).toMatch(/Owner’s new credential\W+issued; the leaked key stays inactive/);
    expect(exec.out).not.toContain('Issue a new credential');
    expect(exec.out).toContain('tourniquet recover --apply --delete-old');
    for (const s of secrets) expect(exec.out.includes(s)).toBe(false);
  });

  it('--notify posted the status update when the run ended: contained and eradicated, no secret in it', () => {
    expect(hook.bodies).toHaveLength(1);
    expect(hook.bodies[0]!.tourniquet).toMatchObject({ kind: 'status', contained: true, eradicated: true });
    expect(hook.bodies[0]!.text).toContain('Security incident status update');
    for (const s of [...secrets, ...tokens]) expect(JSON.stringify(hook.bodies).includes(s)).toBe(false);
    expect(run.err).toMatch(/Status update posted to http:\/\/127\.0\.0\.1:\d+ \(HTTP 200\)/);
  });

  it('the post-incident review measures each stage from the journal, answers the root-cause questions it can, and lists action items', async () => {
    const lessons = await bed.cli(['report', '--kind', 'lessons', '--format', 'md']);
    expect(lessons.code, lessons.err).toBeOneOf([0, 3]);
    const md = lessons.out;
    const row = (stage: string) => md.split('\n').find((l) => l.startsWith(`| ${stage}`)) ?? '';
    // Contain, eradicate and recover all ran in this case: each measured from awareness.
    expect(row('Contained')).toMatch(/time to contain: (\d+ (d|h|min|s) ?)+/);
    expect(row('Eradicated')).toMatch(/time to eradicate: (\d+ (d|h|min|s) ?)+/);
    expect(row('Recovered')).toMatch(/time to recover: (\d+ (d|h|min|s) ?)+/);
    // The watch did not run: said so, not invented.
    expect(row('Watched for re-entry')).toMatch(/unknown/);
    expect(md).toContain('How was the credential exposed?');
    expect(md).toMatch(
      /What did it leave behind\?\W+\d+ way\(s\) back in left by the attacker, removed or put back/,
    );
    // A leaked long-term key and persistence: the items that close those gaps.
    expect(md).toContain('Replace long-term access keys');
    expect(md).toContain('Deny IAM user, key and trust changes outside the deployment pipeline');
    for (const s of secrets) expect(md.includes(s)).toBe(false);
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
