import { classifyAwsError, describeAwsError } from '../aws/errors.js';
import type { Reading } from './types.js';

/**
 * Make one read for the audit. AccessDenied, an unserved API or a persisting throttle become the
 * reason the dependent checks are "not checked"; a missing resource is a value (`absent`) when the
 * caller says what it means; rejected credentials or an unreachable endpoint end the audit.
 */
export async function read<T>(what: string, call: () => Promise<T>, absent?: () => T): Promise<Reading<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    const c = classifyAwsError(error);
    if (c.kind === 'absent' && absent) return { ok: true, value: absent() };
    if (c.credentialsRejected || c.network) throw error;
    return { ok: false, why: `${what}: ${describeAwsError(c)}` };
  }
}
