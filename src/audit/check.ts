import type { AuditFacts } from './facts.js';
import type { CheckArea, CheckStatus, Reading } from './types.js';

/** A check's verdict before the engine adds its declared title, fix and CIS mapping. */
export interface Verdict {
  status: CheckStatus;
  why?: string;
  evidence: string[];
}

/** One audit check, declared: what it is, how it is fixed, and how it judges the facts. */
export interface CheckDef {
  id: string;
  title: string;
  area: CheckArea;
  /** CIS AWS Foundations Benchmark v3.0.0 recommendation numbers. */
  cis: string[];
  fix: string;
  judge(facts: AuditFacts): Verdict;
}

export const DAY = 86_400_000;

/** Judge from one reading, or say why it could not be read. */
export function needs<T>(reading: Reading<T>, judge: (value: T) => Verdict): Verdict {
  return reading.ok ? judge(reading.value) : { status: 'not-checked', why: reading.why, evidence: [] };
}

/** Pass when `problems` is empty, else fail with them as evidence. */
export function verdict(problems: string[], passEvidence: string[] = []): Verdict {
  return problems.length
    ? { status: 'fail', evidence: problems }
    : { status: 'pass', evidence: passEvidence };
}

/**
 * A per-region judgement: each region read gives problems (or none). Any problem fails the
 * check (regions not read are added as evidence); otherwise unread regions make it "not checked".
 */
export function everyRegion<T>(
  readings: Record<string, Reading<T>>,
  problem: (region: string, value: T) => string | undefined,
  passEvidence: string,
): Verdict {
  const problems: string[] = [];
  const unread: string[] = [];
  for (const [region, r] of Object.entries(readings)) {
    if (!r.ok) unread.push(r.why);
    else {
      const p = problem(region, r.value);
      if (p) problems.push(p);
    }
  }
  if (problems.length)
    return { status: 'fail', evidence: [...problems, ...unread.map((u) => `not read: ${u}`)] };
  if (unread.length) return { status: 'not-checked', why: unread.join('; '), evidence: [] };
  return { status: 'pass', evidence: [passEvidence] };
}

/** Whole days between two instants. */
export function daysBetween(fromIso: string, now: Date): number {
  return Math.floor((now.getTime() - Date.parse(fromIso)) / DAY);
}
