/** One line of the coverage ledger: what one source covered in one region (report/input.ts shape). */
export interface CoverageEntry {
  source: string;
  region: string;
  from: string | null;
  to: string | null;
  state: 'complete' | 'partial' | 'failed';
  reason: string | null;
}

/** The file the report reads the ledger from (`REPORT_INPUT_FILES.coverage`). */
export const COVERAGE_FILE = 'coverage.json';

/** Whether anything in the ledger was not fully covered (exit code 3). */
export function isPartial(entries: CoverageEntry[]): boolean {
  return entries.some((e) => e.state !== 'complete');
}
