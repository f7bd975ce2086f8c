import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The line printed after a command that changed a case: the journal head, which a responder keeps
 * outside the case (ticket, chat). A journal rewritten together with case.json still chains, but
 * no longer holds this hash; `case verify --head HASH` says so.
 */
export function journalHeadLine(dir: string): string {
  // case.json as written at the command's last journal line; read plainly (no schema: help stays light).
  const { journal } = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as {
    journal: { seq: number; hash: string };
  };
  return `Journal head: line ${journal.seq} sha256 ${journal.hash} (keep it outside the case; \`tourniquet case verify --head ${journal.hash}\` checks the journal still holds it)`;
}
