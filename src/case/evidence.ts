import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { appendFile, mkdir, open, rename } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { UserError } from '../errors.js';

/** One line of `evidence/manifest.jsonl`. */
export interface EvidenceRecord {
  path: string;
  sha256: string;
  size: number;
  source: string;
  at: string;
  /**
   * What the file was as received when the kept copy differs from it: CloudTrail files with their
   * session tokens replaced by fingerprints (src/trail/redact.ts) — sha256 and size of the bytes
   * AWS delivered, and how many tokens were taken out.
   */
  received?: { sha256: string; size: number; redacted: number };
}

export const MANIFEST = 'manifest.jsonl';

/** A relative path inside `evidence/` that cannot escape it (names may come from the attacker). */
export function safeEvidencePath(relative: string): string {
  const cleaned = normalize(relative.replace(/\\/g, '/')).replace(/^(\.\/)+/, '');
  if (isAbsolute(cleaned) || cleaned.split(sep).includes('..') || cleaned === MANIFEST || cleaned === '') {
    throw new UserError('EVIDENCE_PATH', `Refusing evidence path ${JSON.stringify(relative)}.`);
  }
  return cleaned.split(sep).join('/');
}

/** Write bytes or a stream into the evidence folder (via a temp file), returning size and sha256. */
export async function writeEvidenceFile(
  root: string,
  relative: string,
  content: Uint8Array | string | Readable,
): Promise<{ path: string; sha256: string; size: number }> {
  const path = safeEvidencePath(relative);
  const target = join(root, path);
  await mkdir(dirname(target), { recursive: true });
  const temp = `${target}.partial`;
  const hash = createHash('sha256');
  let size = 0;
  if (typeof content === 'string' || content instanceof Uint8Array) {
    const bytes = typeof content === 'string' ? Buffer.from(content) : content;
    hash.update(bytes);
    size = bytes.length;
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
  } else {
    content.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      size += chunk.length;
    });
    await pipeline(content, createWriteStream(temp));
  }
  await rename(temp, target);
  return { path, sha256: hash.digest('hex'), size };
}

/** Append manifest lines (one write). */
export async function appendManifest(root: string, records: EvidenceRecord[]): Promise<void> {
  if (records.length === 0) return;
  await appendFile(join(root, MANIFEST), records.map((r) => JSON.stringify(r) + '\n').join(''));
}

/** Stream a file through SHA-256. */
export async function sha256File(file: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}
