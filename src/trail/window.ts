import { UsageError } from '../errors.js';

const RELATIVE = /^(\d+)\s*(m|h|d|w)$/;
const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/**
 * Read a `--since`/`--until` value: an ISO-8601 time (`2024-05-01T10:00:00Z`), a date
 * (`2024-05-01`, midnight UTC) or an age before `now` (`90m`, `48h`, `7d`, `2w`). Returns the ISO
 * time; a usage error names the option otherwise.
 */
export function parseTimeBound(text: string, option: string, now: Date): string {
  const value = text.trim();
  const rel = RELATIVE.exec(value);
  if (rel) return new Date(now.getTime() - Number(rel[1]) * UNIT_MS[rel[2]!]!).toISOString();
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value;
  // A time without a zone would be read in the machine's zone; CloudTrail is UTC, so insist.
  if (
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(iso) ||
    Number.isNaN(Date.parse(iso))
  ) {
    throw new UsageError(
      `--${option} ${JSON.stringify(text)} is not a time.`,
      'Use an ISO-8601 UTC time (2024-05-01T10:00:00Z), a date (2024-05-01) or an age (48h, 7d).',
    );
  }
  return new Date(iso).toISOString();
}

/** Check that since < until when both are given. */
export function checkWindow(since: string | undefined, until: string | undefined): void {
  if (since && until && since >= until) {
    throw new UsageError(
      `--since ${since} is not before --until ${until}.`,
      'Swap them or widen the window.',
    );
  }
}
