import { closeSync, openSync, writeSync } from 'node:fs';
import { UserError } from '../errors.js';
import type { Block } from './spec.js';

/**
 * Where new credentials go: a file only the user can read (created, never overwritten), or the
 * command's own output, once. Never the case, the journal or the log.
 */
export function secretSink(path: string | undefined): {
  reveal: (label: string, secret: string) => void;
  shown: { label: string; secret: string }[];
  blocks: () => Block[];
  close: () => void;
} {
  let fd: number | undefined;
  const shown: { label: string; secret: string }[] = [];
  const open = (): number => {
    if (fd !== undefined) return fd;
    try {
      fd = openSync(path!, 'wx', 0o600);
      return fd;
    } catch (error) {
      throw new UserError('SECRET_OUT', `Cannot create ${path!}: ${(error as Error).message}.`, {
        hint: 'Give a path that does not exist yet, in a folder only you can read.',
      });
    }
  };
  // Made before anything changes: a bad path must not lose a credential already created.
  if (path) open();
  return {
    shown,
    reveal(label, secret) {
      if (path) writeSync(open(), `# ${label}\n${secret}\n`);
      shown.push({ label, secret });
    },
    blocks() {
      if (shown.length === 0) return [];
      if (path)
        return [
          {
            kind: 'text',
            lines: [
              `New credentials written to ${path} (mode 0600): ${shown.map((s) => s.label).join('; ')}.`,
            ],
          },
        ];
      return [
        {
          kind: 'text',
          lines: [
            'NEW CREDENTIALS — shown once, stored nowhere; hand them to the owner over a trusted channel:',
            ...shown.map((s) => `  ${s.label}: ${s.secret}`),
          ],
        },
      ];
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}
