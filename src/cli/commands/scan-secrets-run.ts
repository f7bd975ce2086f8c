import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { callerIdentity } from '../../aws/identity.js';
import { UserError } from '../../errors.js';
import { lookupKeys, type KeyStatus } from '../../secrets/lookup.js';
import { scanForKeys } from '../../secrets/scan.js';
import type { Outcome, RunEnv } from '../spec.js';
import type { ScanSecretsInput } from './scan-secrets.js';

const HOOK = `# Written by tourniquet scan-secrets --write-hook: refuse commits that add AWS keys.
repos:
  - repo: local
    hooks:
      - id: tourniquet-scan-secrets
        name: AWS keys (tourniquet scan-secrets)
        entry: tourniquet scan-secrets --offline
        language: system
        pass_filenames: false
`;

/** Run `tourniquet scan-secrets`. */
export async function runScanSecrets({ options, args }: ScanSecretsInput, env: RunEnv): Promise<Outcome> {
  const dir = resolve(env.cwd, args[0] ?? '.');
  if (!existsSync(dir))
    throw new UserError('NO_PATH', `${dir} does not exist.`, {
      hint: 'Pass the folder to scan.',
      exitCode: 2,
    });
  let hook: string | undefined;
  if (options['write-hook']) {
    const path = join(dir, '.pre-commit-config.yaml');
    if (existsSync(path)) env.log.warn(`${path} exists: left as is; add this hook to it:\n${HOOK}`);
    else {
      writeFileSync(path, HOOK);
      hook = path;
    }
  }
  let scan;
  try {
    scan = await scanForKeys(dir, { history: options.git === true });
  } catch (error) {
    throw new UserError('SCAN', `Cannot scan ${dir}: ${(error as Error).message}`, {
      hint: 'Pass a folder inside a git repository with --git, or leave --git out.',
      exitCode: 2,
    });
  }
  const real = [...new Set(scan.hits.filter((h) => !h.example && h.keyId).map((h) => h.keyId!))];
  let statuses = new Map<string, KeyStatus>();
  let lookupWhy: string | undefined;
  if (!options.offline && real.length) {
    try {
      const pool = await env.aws();
      const me = await callerIdentity(pool);
      statuses = await lookupKeys(pool, me.account, real);
    } catch (error) {
      lookupWhy = (error as Error).message;
    }
  }
  const statusOf = (keyId: string | undefined, example: boolean): KeyStatus => {
    if (example) return { state: 'other-account', why: 'AWS documentation example' };
    if (!keyId) return { state: 'not-checked', why: 'a secret with no key id beside it' };
    return (
      statuses.get(keyId) ?? {
        state: 'not-checked',
        why: options.offline ? '--offline' : (lookupWhy ?? 'not looked up'),
      }
    );
  };
  const hits = scan.hits.map((h) => ({ ...h, status: statusOf(h.keyId, h.example) }));
  const live = real.filter((k) => statuses.get(k)?.state === 'active');
  const notChecked = real.some((k) => (statuses.get(k)?.state ?? 'not-checked') === 'not-checked');
  if (lookupWhy) env.log.warn(`Keys not matched to accounts: ${lookupWhy}`);
  return {
    exitCode: real.length ? (notChecked && !options.offline ? 3 : 4) : 0,
    json: {
      path: dir,
      scanned: scan.scanned,
      hits,
      keys: real,
      liveKeysOfThisAccount: live,
      hook: hook ?? null,
    },
    blocks: [
      {
        kind: 'fields',
        title: `AWS keys in ${dir}`,
        fields: [
          ['Scanned', `${scan.scanned.files} files${options.git ? `, ${scan.scanned.commits} commits` : ''}`],
          [
            'Keys',
            `${real.length} real, ${new Set(scan.hits.filter((h) => h.example).map((h) => h.keyId)).size} AWS examples`,
          ],
          ['Live keys of this account', live.length ? live.join(', ') : 'none'],
          ...(hook ? ([['Hook written', hook]] as [string, string][]) : []),
        ],
      },
      {
        kind: 'table',
        title: 'Where',
        columns: ['KEY', 'SECRET', 'ACCOUNT', 'STATE', 'FILE:LINE', 'COMMIT', 'AUTHOR', 'DATE'],
        rows: hits.map((h) => [
          h.keyId ?? '?',
          h.secret ? `masked (${h.secret.length} chars)` : '',
          h.example ? 'example' : (h.status.account ?? ''),
          h.example
            ? 'AWS example key'
            : `${h.status.state}${h.status.user ? ` (${h.status.user})` : ''}${h.status.why ? `: ${h.status.why}` : ''}`,
          `${h.file}:${h.line}`,
          h.commit?.id.slice(0, 10) ?? 'working tree',
          h.commit?.author ?? '',
          h.commit?.date ?? '',
        ]),
      },
      ...(live.length
        ? [
            {
              kind: 'text' as const,
              lines: ['Start a case for each live key:', ...live.map((k) => `  tourniquet respond ${k}`)],
            },
          ]
        : []),
    ],
  };
}
