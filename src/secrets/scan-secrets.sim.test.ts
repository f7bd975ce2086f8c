import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createUserWithKey,
  EXTERNAL_ACCOUNT,
  startSim,
  VICTIM_ACCOUNT,
  type RunningSim,
} from '../sim/index.js';
import { runCli } from '../test-support/cli.js';
import type { SecretHit } from './scan.js';
import type { KeyStatus } from './lookup.js';

let sim: RunningSim;
let root: string;
let repo: string;
let leaked: { accessKeyId: string; secretAccessKey: string };
let foreign: { accessKeyId: string; secretAccessKey: string };
let result: { code: number; out: string; err: string };

const git = (...args: string[]) =>
  execFileSync('git', ['-C', repo, ...args], {
    env: {
      ...process.env,
      GIT_AUTHOR_DATE: '2026-02-03T10:00:00Z',
      GIT_COMMITTER_DATE: '2026-02-03T10:00:00Z',
    },
  });

beforeAll(async () => {
  sim = await startSim({ port: 0, seed: 31 });
  root = mkdtempSync(join(tmpdir(), 'tq-secrets-'));
  repo = join(root, 'app');
  mkdirSync(repo);
  const responder = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'responder', {
    managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
  }).key;
  leaked = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'deploy-bot').key;
  foreign = createUserWithKey(sim.state, EXTERNAL_ACCOUNT, 'vendor').key;
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'Pat Dev');
  git('config', 'user.email', 'pat@example.com');
  // Added, then deleted: only the history has it.
  writeFileSync(
    join(repo, 'deploy.env'),
    `REGION=eu-west-1\naws_access_key_id = ${leaked.accessKeyId}\naws_secret_access_key = ${leaked.secretAccessKey}\n`,
  );
  git('add', '.');
  git('commit', '-qm', 'deploy config');
  rmSync(join(repo, 'deploy.env'));
  writeFileSync(
    join(repo, 'README.md'),
    '# app\nExample: AKIAIOSFODNN7EXAMPLE / wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n',
  );
  git('add', '-A');
  git('commit', '-qm', 'remove secrets, add docs');
  // Uncommitted, in the working tree.
  writeFileSync(join(repo, 'vendor.json'), JSON.stringify({ key: foreign.accessKeyId }));
  result = await runCli(['scan-secrets', repo, '--git', '--write-hook', '--json'], {
    endpoint: sim.endpoint,
    creds: responder,
    root,
  });
}, 120_000);
afterAll(async () => {
  await sim.stop();
});

describe('tourniquet scan-secrets --git on a test repository', () => {
  it('finds the key added then deleted in history, with commit, author, date, account and state', () => {
    expect(result.code).toBe(4);
    const out = JSON.parse(result.out) as {
      hits: (SecretHit & { status: KeyStatus })[];
      liveKeysOfThisAccount: string[];
    };
    const deleted = out.hits.filter((h) => h.file === 'deploy.env');
    expect(deleted).toHaveLength(1);
    expect(deleted[0]).toMatchObject({
      keyId: leaked.accessKeyId,
      secret: { length: 40 },
      example: false,
      line: 3,
      commit: { author: 'Pat Dev <pat@example.com>', date: '2026-02-03T10:00:00+00:00' },
      status: { account: VICTIM_ACCOUNT, state: 'active', user: 'deploy-bot' },
    });
    expect(out.liveKeysOfThisAccount).toEqual([leaked.accessKeyId]);
    const vendor = out.hits.find((h) => h.file === 'vendor.json');
    expect(vendor).toMatchObject({
      keyId: foreign.accessKeyId,
      status: { account: EXTERNAL_ACCOUNT, state: 'other-account' },
    });
    expect(vendor!.commit).toBeUndefined();
    const examples = out.hits.filter((h) => h.example);
    expect(examples.map((h) => h.keyId)).toContain('AKIAIOSFODNN7EXAMPLE');
    expect(examples.every((h) => h.file === 'README.md')).toBe(true);
  });

  it('never shows a secret: not on stdout, stderr, in the human output or in the files it writes', async () => {
    const human = await runCli(['scan-secrets', repo, '--git'], {
      endpoint: sim.endpoint,
      creds: { accessKeyId: 'AKIAXXXXXXXXXXXXXXXX', secretAccessKey: 'x'.repeat(40) },
      root,
    });
    expect(human.code).toBe(3);
    expect(human.out).toContain('not-checked: Cannot identify the AWS credentials');
    for (const text of [
      result.out,
      result.err,
      human.out,
      human.err,
      readFileSync(join(repo, '.pre-commit-config.yaml'), 'utf8'),
    ])
      for (const secret of [leaked.secretAccessKey, foreign.secretAccessKey])
        expect(text).not.toContain(secret);
    expect(human.out).toMatch(/masked \(40 chars\)/);
  });

  it('writes a pre-commit hook config running the scan offline', () => {
    expect(readFileSync(join(repo, '.pre-commit-config.yaml'), 'utf8')).toContain(
      'entry: tourniquet scan-secrets --offline',
    );
  });
});
