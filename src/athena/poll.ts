import type { Clock } from '../clock.js';

/** First wait between polls, growth factor and the longest wait (queries answer in seconds to minutes). */
const FIRST_POLL_MS = 250;
const POLL_GROWTH = 1.6;
const LONGEST_POLL_MS = 5000;
/** A query still running after this long is stopped and reported. */
export const QUERY_TIMEOUT_MS = 30 * 60_000;

/**
 * Poll with growing waits (250 ms, ×1.6, at most 5 s) until `check` gives an answer; past 30
 * minutes `giveUp` (which stops the query) answers instead. Shared by Athena and CloudTrail Lake.
 */
export async function pollWithBackoff<T>(
  clock: Clock,
  check: () => Promise<T | undefined>,
  giveUp: () => Promise<T>,
): Promise<T> {
  const began = clock.now().getTime();
  let wait = FIRST_POLL_MS;
  for (;;) {
    const done = await check();
    if (done !== undefined) return done;
    if (clock.now().getTime() - began > QUERY_TIMEOUT_MS) return giveUp();
    await clock.sleep(wait);
    wait = Math.min(LONGEST_POLL_MS, wait * POLL_GROWTH);
  }
}
