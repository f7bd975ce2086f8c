import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from './main.js';

// No credentials anywhere: a refusal that reached the AWS SDK would say so instead.
const NO_AWS: NodeJS.ProcessEnv = {
  AWS_CONFIG_FILE: '/nonexistent/config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
  AWS_EC2_METADATA_DISABLED: 'true',
};

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'tq-bad-cli-'));
  mkdirSync(join(root, 'trail'));
  writeFileSync(join(root, 'trail', 'empty.json'), '{"Records":[]}');
  writeFileSync(join(root, 'a-file'), 'not a folder');
  mkdirSync(join(root, 'latin'));
  const record =
    '{"Records":[{"eventID":"e1","eventTime":"2026-01-01T00:00:00Z","eventName":"Caf\u00e9",' +
    '"eventSource":"iam.amazonaws.com","awsRegion":"us-east-1"}]}';
  // Latin-1, as a hand-edited file might be: 0xE9 alone is not UTF-8.
  writeFileSync(join(root, 'latin', 'edited.json'), Buffer.from(record, 'latin1'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function run(argv: string[]): Promise<{ code: number; err: string; out: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env: NO_AWS,
    cwd: root,
  });
  return { code, err, out };
}

const KEY = 'AKIAIOSFODNN7EXAMPLE';

describe('bad input is refused before credentials or the network, in one line naming it', () => {
  it.each([
    [['triage', 'AKIA123'], /"AKIA123" is not a valid access key id/],
    [['respond', 'akiaiosfodnn7example'], /"akiaiosfodnn7example" is not a valid access key id/],
    [['hunt', 'trail', '--key', 'AKIA123'], /"AKIA123" is not a valid access key id/],
    [['triage', KEY, '--aware-since', '1'], /--aware-since "1" is not a time/],
    [['respond', KEY, '--aware-since', '2026-11-28 14:05'], /--aware-since "2026-11-28 14:05" is not a time/],
    [['report', '--as-of', 'yesterday'], /--as-of "yesterday" is not a time/],
    [['triage', KEY, '--region', 'us-east-x'], /--region "us-east-x" is not an AWS region/],
    [['triage', KEY, '--region', '../../etc'], /--region "..\/..\/etc" is not an AWS region/],
    [['scope', '--only-region', 'mars-1'], /--only-region "mars-1" is not an AWS region/],
    [['audit', '--only-region', 'us-east-1', '--only-region', 'x'], /--only-region "x" is not an AWS region/],
    [['triage', KEY, '--endpoint-url', 'notaurl'], /--endpoint-url "notaurl" is not an http\(s\) URL/],
    [
      ['respond', KEY, '--endpoint-url', 'file:///etc/passwd'],
      /--endpoint-url "file:\/\/\/etc\/passwd" is not/,
    ],
    [['respond', KEY, '--case', 'a-file'], /--case a-file is a file, not a folder/],
  ])('%j', async (argv, message) => {
    const r = await run(argv);
    expect(r.code, r.err).toBe(2);
    const lines = r.err.trimEnd().split('\n');
    expect(lines[0]).toMatch(message);
    expect(lines.length, r.err).toBeLessThanOrEqual(2); // the message and the way out
    expect(r.err).not.toMatch(/credentials|CredentialsProviderError|unexpected error/i);
  });
});

describe('DuckDB errors become one-line reasons', () => {
  it("a non-UTF-8 trail file is named with what is wrong, not DuckDB's text and path", async () => {
    const r = await run(['hunt', 'latin', '--json', '--no-sigma']);
    expect(r.code, r.err).toBe(3);
    const doc = JSON.parse(r.out) as { badFiles: { path: string; reason: string }[] };
    expect(doc.badFiles).toHaveLength(1);
    const { path, reason } = doc.badFiles[0]!;
    expect(path).toBe(join(root, 'latin', 'edited.json'));
    expect(reason).toMatch(/^edited\.json: .*invalid UTF-8/);
    expect(reason).not.toContain('\n');
    expect(reason).not.toContain(root);
    expect(reason).not.toMatch(/Invalid Input Error/);
  });
});
