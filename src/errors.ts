/**
 * Two kinds of failure: a `UserError` is something the responder can fix (bad input, missing
 * permission, a locked case) and is printed as one line with the way out; anything else is a
 * bug and is printed as "please report this".
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  /** A fixed code string, stable across releases, e.g. `CASE_LOCKED`. */
  readonly code: string;
  /** What the responder can do about it. */
  readonly hint: string | undefined;
  /** Process exit code (1 failure, 2 usage). */
  readonly exitCode: 1 | 2;

  constructor(
    code: string,
    message: string,
    options: { hint?: string; exitCode?: 1 | 2; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? 1;
  }
}

/** A usage error: bad arguments (exit code 2). */
export class UsageError extends UserError {
  constructor(message: string, hint?: string) {
    super('USAGE', message, { hint, exitCode: 2 });
  }
}

/** Something that should never happen: a bug in Tourniquet. */
export class InternalError extends Error {
  override readonly name = 'InternalError';
}

/** Narrow an unknown thrown value to a message string. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
