const written = new Set<string>();

/** Note that a case's journal grew (called by `CaseFolder` on every append). */
export function noteWritten(dir: string): void {
  written.add(dir);
}

/**
 * The case folders whose journal grew since the last call, and forget them: the CLI prints each
 * one's journal head after a command, whichever command it was.
 */
export function takeWrittenCases(): string[] {
  const dirs = [...written];
  written.clear();
  return dirs;
}
