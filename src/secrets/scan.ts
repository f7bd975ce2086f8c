import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { lintSource } from '@secretlint/core';
import { creator as awsRule } from '@secretlint/secretlint-rule-aws';

const run = promisify(execFile);

/** AWS's documented example credentials (IAM user guide): reported as examples, never looked up. */
export const EXAMPLE_KEY_IDS = ['AKIAIOSFODNN7EXAMPLE', 'AKIAI44QH8DHBEXAMPLE'];
export const EXAMPLE_SECRETS = [
  'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY',
];

/** One place a key (or its secret) appears. Never holds the secret itself. */
export interface SecretHit {
  keyId: string | undefined;
  /** A secret access key was found here (masked: only its length is kept). */
  secret: { length: number } | undefined;
  example: boolean;
  file: string;
  line: number;
  /** Set for hits in the git history. */
  commit?: { id: string; author: string; date: string } | undefined;
}

const KEY_ID = /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g;
const MAX_FILE = 1 << 20;

/** The text to scan, with the line number in its file of each of its lines. */
interface Chunk {
  file: string;
  text: string;
  lines: number[];
  commit?: SecretHit['commit'];
}

const lineAt = (chunk: Chunk, offset: number) =>
  chunk.lines[chunk.text.slice(0, offset).split('\n').length - 1] ?? 0;

/**
 * Scan one chunk with secretlint's AWS rule (key ids and `aws_secret_access_key = …` secrets), plus
 * AWS's example keys, which the rule skips silently and we report as examples. A secret is paired
 * with the nearest key id in the same chunk.
 */
async function scanChunk(chunk: Chunk): Promise<SecretHit[]> {
  const result = await lintSource({
    source: { filePath: chunk.file, content: chunk.text, contentType: 'text' },
    options: {
      maskSecrets: true,
      noPhysicFilePath: true,
      config: {
        rules: [
          { id: '@secretlint/secretlint-rule-aws', rule: awsRule, options: { enableIDScanRule: true } },
        ],
      },
    },
  });
  const ids = [...chunk.text.matchAll(KEY_ID)].map((m) => ({ id: m[0], at: m.index }));
  const nearest = (at: number) =>
    ids.length ? ids.reduce((a, b) => (Math.abs(b.at - at) < Math.abs(a.at - at) ? b : a)).id : undefined;
  const hits: SecretHit[] = [];
  const base = { file: chunk.file, ...(chunk.commit ? { commit: chunk.commit } : {}) };
  for (const m of result.messages) {
    const at = m.range[0];
    if (m.messageId === 'AWSAccessKeyID') {
      const keyId = chunk.text.slice(m.range[0], m.range[1]);
      if (!/^(AKIA|ASIA)/.test(keyId)) continue;
      hits.push({ ...base, keyId, secret: undefined, example: false, line: lineAt(chunk, at) });
    } else if (m.messageId === 'AWSSecretAccessKey') {
      hits.push({
        ...base,
        keyId: nearest(at),
        secret: { length: m.range[1] - m.range[0] },
        example: false,
        line: lineAt(chunk, at),
      });
    }
  }
  for (const example of [...EXAMPLE_KEY_IDS, ...EXAMPLE_SECRETS]) {
    let at = chunk.text.indexOf(example);
    while (at >= 0) {
      const isId = EXAMPLE_KEY_IDS.includes(example);
      hits.push({
        ...base,
        keyId: isId ? example : nearest(at),
        secret: isId ? undefined : { length: example.length },
        example: true,
        line: lineAt(chunk, at),
      });
      at = chunk.text.indexOf(example, at + 1);
    }
  }
  // A key id that only stands beside its secret is one finding, not two.
  return hits.filter(
    (h) =>
      h.secret ||
      !hits.some((o) => o !== h && o.secret && o.keyId === h.keyId && Math.abs(o.line - h.line) <= 3),
  );
}

async function git(dir: string, args: string[]): Promise<string> {
  return (await run('git', ['-C', dir, ...args], { maxBuffer: 1 << 30 })).stdout;
}

async function isGitRepo(dir: string): Promise<boolean> {
  try {
    return (await git(dir, ['rev-parse', '--is-inside-work-tree'])).trim() === 'true';
  } catch {
    return false;
  }
}

function walk(root: string, dir = root, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === '.git' || e.name === 'node_modules') continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) walk(root, path, out);
    else if (e.isFile()) out.push(relative(root, path));
  }
  return out;
}

/** The files of the working tree (git's tracked and untracked-not-ignored files in a repository). */
async function workingTreeChunks(dir: string): Promise<Chunk[]> {
  const files = (await isGitRepo(dir))
    ? (await git(dir, ['ls-files', '-co', '--exclude-standard', '-z'])).split('\0').filter(Boolean)
    : walk(dir);
  const chunks: Chunk[] = [];
  for (const file of files) {
    const path = join(dir, file);
    let size: number;
    try {
      const s = statSync(path);
      if (!s.isFile()) continue;
      size = s.size;
    } catch {
      continue; // listed by git but deleted since: not in the working tree
    }
    if (size > MAX_FILE) continue;
    const buf = readFileSync(path);
    if (buf.includes(0)) continue;
    const text = buf.toString('utf8');
    chunks.push({ file, text, lines: text.split('\n').map((_, i) => i + 1) });
  }
  return chunks;
}

/**
 * Every line ever added in any commit of any ref, per commit and file: deleted files and
 * overwritten keys were added once, so they are here.
 */
async function historyChunks(dir: string): Promise<Chunk[]> {
  const log = await git(dir, [
    'log',
    '--all',
    '-p',
    '-U0',
    '--no-color',
    '--no-ext-diff',
    '--no-renames',
    '--format=%x01%H%x09%an <%ae>%x09%aI',
  ]);
  const chunks: Chunk[] = [];
  let commit: SecretHit['commit'];
  let current: Chunk | undefined;
  let next = 0;
  const flush = () => {
    if (current?.text) chunks.push(current);
    current = undefined;
  };
  for (const line of log.split('\n')) {
    if (line.startsWith('\x01')) {
      flush();
      const [id = '', author = '', date = ''] = line.slice(1).split('\t');
      commit = { id, author, date };
    } else if (line.startsWith('+++ ')) {
      flush();
      const path = line.slice(4);
      if (path !== '/dev/null') current = { file: path.replace(/^b\//, ''), text: '', lines: [], commit };
    } else if (line.startsWith('@@')) {
      next = Number(/\+(\d+)/.exec(line)?.[1] ?? 0);
    } else if (current && line.startsWith('+')) {
      current.text += `${line.slice(1)}\n`;
      current.lines.push(next++);
    }
  }
  flush();
  return chunks;
}

/** Find AWS keys in the working tree under `dir`, and with `history` in every commit of its git repository. */
export async function scanForKeys(
  dir: string,
  o: { history: boolean },
): Promise<{ hits: SecretHit[]; scanned: { files: number; commits: number } }> {
  const chunks = await workingTreeChunks(dir);
  let commits = 0;
  if (o.history) {
    if (!(await isGitRepo(dir)))
      throw new Error(`${dir} is not in a git repository (--git reads its history)`);
    const past = await historyChunks(dir);
    commits = new Set(past.map((c) => c.commit?.id)).size;
    chunks.push(...past);
  }
  const hits = (await Promise.all(chunks.map(scanChunk))).flat();
  return { hits, scanned: { files: chunks.filter((c) => !c.commit).length, commits } };
}
