import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { UserError } from '../errors.js';

interface LockOwner {
  pid: number;
  host: string;
  at: string;
}

/**
 * An exclusive lock on a case folder: a `case.lock` file created with O_EXCL. A lock left by a
 * process that no longer runs on this host is taken over; any other is refused, so two
 * processes can never interleave journal lines.
 */
export class CaseLock {
  private released = false;
  private constructor(private readonly file: string) {}

  static acquire(file: string, now: Date): CaseLock {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(file, 'wx');
        const owner: LockOwner = { pid: process.pid, host: hostname(), at: now.toISOString() };
        writeSync(fd, JSON.stringify(owner));
        closeSync(fd);
        return new CaseLock(file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const owner = readOwner(file);
        if (owner && isStale(owner)) {
          rmSync(file, { force: true });
          continue;
        }
        const who = owner ? `process ${owner.pid} on ${owner.host} since ${owner.at}` : 'another process';
        throw new UserError('CASE_LOCKED', `The case is being written by ${who} (${file}).`, {
          hint: 'Wait for that command to finish, or remove the lock file if that process is gone.',
        });
      }
    }
    throw new UserError('CASE_LOCKED', `Could not lock ${file}.`, { hint: 'Remove the stale lock file.' });
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    rmSync(this.file, { force: true });
  }
}

function readOwner(file: string): LockOwner | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockOwner>;
    if (typeof parsed.pid === 'number' && typeof parsed.host === 'string') {
      return { pid: parsed.pid, host: parsed.host, at: String(parsed.at) };
    }
  } catch {
    // An unreadable lock file (half-written by a crashed process) is treated as held: refusing is
    // the safe choice, and the error names the file to remove.
  }
  return undefined;
}

function isStale(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return false;
  if (owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
