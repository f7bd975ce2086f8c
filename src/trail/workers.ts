import { setMaxListeners } from 'node:events';
import type { ClassifiedAwsError } from '../aws/errors.js';

/**
 * Errors that end a whole collection instead of one region's coverage line: rejected credentials
 * and an unreachable endpoint fail every other region too. The run stops, what was stored stays
 * checkpointed, and the next run resumes.
 */
export function endsCollection(error: ClassifiedAwsError): boolean {
  return error.credentialsRejected || error.network;
}

/**
 * Run `work` over `items` with at most `concurrency` at a time. On the first error the others
 * are told to stop (through the signal they receive) and are waited for before the error is
 * raised, so nobody writes to a store or case the caller is about to close.
 */
export async function forEachBounded<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, stop: AbortSignal) => Promise<void>,
): Promise<void> {
  const stop = new AbortController();
  const queue = [...items];
  let failure: { error: unknown } | undefined;
  const count = Math.max(1, Math.min(concurrency, queue.length));
  // Each worker's request listens on the shared signal (the SDK adds a few per call): 17 regions at
  // once are not a leak, but Node's default of 10 warns on stderr that they are.
  setMaxListeners(Math.max(10, 4 * count), stop.signal);
  const workers = Array.from({ length: count }, async () => {
    for (let item = queue.shift(); item !== undefined && !failure; item = queue.shift()) {
      try {
        await work(item, stop.signal);
      } catch (error) {
        failure ??= { error };
        stop.abort();
      }
    }
  });
  await Promise.all(workers);
  if (failure) throw failure.error;
}
