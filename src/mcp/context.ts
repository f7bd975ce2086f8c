import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ClientPool } from '../aws/pool.js';
import { CASE_FILE } from '../case/case.js';
import { listCases } from '../case/list.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../context.js';
import { UserError } from '../errors.js';

/** What the MCP tools may use: the cases, a clock, a logger (stderr), and AWS read-only. */
export interface McpContext {
  cwd: string;
  /** Folder of case folders (`$TOURNIQUET_CASES` or `./cases`). */
  casesRoot: string;
  clock: Clock;
  log: Logger;
  /** A client pool that refuses any AWS operation that is not a read (`AwsSettings.readOnly`). */
  aws(): Promise<ClientPool>;
}

/** A tool's answer to a question it cannot answer: shown to the assistant, not a crash. */
export class ToolError extends UserError {
  constructor(message: string) {
    super('MCP_TOOL', message);
  }
}

/**
 * The case folder a tool reads: `ref` is a case id under the cases root or a folder path; none =
 * the newest case. Only read, never opened for writing (no lock is taken).
 */
export function caseDir(ctx: McpContext, ref: string | undefined): string {
  const cases = listCases(ctx.casesRoot);
  if (ref === undefined) {
    const newest = cases.find((c) => c.case);
    if (!newest) throw new ToolError(`no case under ${ctx.casesRoot}; list_cases shows what there is.`);
    return newest.dir;
  }
  const byId = cases.find((c) => c.case?.id === ref);
  if (byId) return byId.dir;
  const dir = resolve(ctx.cwd, ref);
  if (existsSync(resolve(dir, CASE_FILE))) return dir;
  throw new ToolError(`no case ${ref} (neither a case id under ${ctx.casesRoot} nor a case folder).`);
}

/** An ISO-8601 time argument, or undefined. */
export function timeArg(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const t = Date.parse(value);
  if (Number.isNaN(t))
    throw new ToolError(`${name}: ${value} is not a time (ISO-8601, e.g. 2026-11-28T14:05:00Z).`);
  return new Date(t).toISOString();
}
