/** What the benchmarks print about the machine, to read a run's seconds against. */
import { readFileSync } from 'node:fs';

/** The 1, 5 and 15-minute load averages, as `/proc/loadavg` gives them. */
export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}
