import { createHash } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';
import type { CaseFolder } from '../case/case.js';
import type { Investigation } from './investigate.js';

/** The case files the investigation writes (at the case folder's top level; derived, not evidence). */
export const FINDINGS_FILE = 'findings.json';
export const INVESTIGATION_FILE = 'investigation.json';

/**
 * Store the investigation in the case: `findings.json` (the Finding list every report reads) and
 * `investigation.json` (lineage, window, anomalies, timeline, Sigma report), each written
 * atomically, with their sha256 and the incident window in the journal.
 */
export function saveInvestigation(
  folder: CaseFolder,
  result: Investigation,
): { path: string; sha256: string }[] {
  const files = [
    { name: FINDINGS_FILE, data: { findings: result.findings } },
    { name: INVESTIGATION_FILE, data: result },
  ];
  const written = files.map(({ name, data }) => {
    const text = JSON.stringify(data, null, 2) + '\n';
    const path = folder.path(name);
    writeFileSync(`${path}.tmp`, text);
    renameSync(`${path}.tmp`, path);
    return { path: name, sha256: createHash('sha256').update(text).digest('hex') };
  });
  folder.record('investigation.saved', {
    findings: result.findings.length,
    bySeverity: countBy(result.findings.map((f) => f.severity)),
    window: result.window,
    lineageKeys: result.lineage?.keys ?? [],
    files: written,
  });
  return written;
}

function countBy(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}
