import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeBlastRadius, type BlastRadius, type BlastRadiusInput } from './index.js';

/**
 * The engine's behaviour as tables of JSON cases (`cases/*.json`, in the manner of
 * iam-simulate's own tests): an input snapshot and what the blast radius must say about it.
 * Every key of `expect` is optional; lists are exact sets unless named `can`/`cannot`/`notChecked`.
 */
interface Expect {
  /** The subject (first compromised principal) is an administrator. */
  admin?: boolean;
  /** [action, resource name] the subject may / may not perform. */
  can?: [string, string][];
  cannot?: [string, string][];
  /** Every role path's text. */
  paths?: string[];
  /** Escalation methods open to the subject. */
  escalation?: string[];
  /** Targets of a method, by name. */
  escalationTargets?: Record<string, string[]>;
  /** Methods of the subject whose targets include an administrator. */
  reachesAdmin?: string[];
  /** Resource name → levels reachable by any principal of the graph. */
  data?: Record<string, string[]>;
  raisers?: string[];
  /** capability → [could, did, tried]. */
  couldVsDid?: Record<string, [number, number, number]>;
  /** Each pattern matches a notChecked line. */
  notChecked?: string[];
  /** [from name, to name, trust] edges that must exist. */
  edges?: [string, string, string][];
}

interface Case {
  name: string;
  input: BlastRadiusInput;
  expect: Expect;
}

const folder = join(import.meta.dirname, 'cases');
const files = readdirSync(folder).filter((f) => f.endsWith('.json'));

it('has every table of cases (a missing file would silently drop its cases)', () => {
  expect(files.sort()).toEqual([
    'data.json',
    'effective.json',
    'escalation.json',
    'graph.json',
    'sessions.json',
  ]);
});

const sorted = (list: string[]) => [...list].sort();

function check(b: BlastRadius, e: Expect): void {
  const subject = b.principals.find((p) => p.compromised)!;
  if (e.admin !== undefined) expect(subject?.admin, 'admin').toBe(e.admin);
  const allowed = (action: string, name: string) =>
    subject.sensitive.some((g) => g.action === action && g.resources.some((r) => r.name === name));
  for (const [action, name] of e.can ?? [])
    expect(allowed(action, name), `can ${action} on ${name}`).toBe(true);
  for (const [action, name] of e.cannot ?? [])
    expect(allowed(action, name), `cannot ${action} on ${name}`).toBe(false);
  if (e.paths) expect(sorted(b.graph.paths.map((p) => p.text))).toEqual(sorted(e.paths));
  if (e.escalation) expect(sorted(subject.escalation.map((m) => m.method))).toEqual(sorted(e.escalation));
  for (const [method, names] of Object.entries(e.escalationTargets ?? {}))
    expect(
      sorted(subject.escalation.find((m) => m.method === method)?.targets.map((t) => t.name) ?? []),
      method,
    ).toEqual(sorted(names));
  if (e.reachesAdmin)
    expect(sorted(subject.escalation.filter((m) => m.reachesAdmin).map((m) => m.method))).toEqual(
      sorted(e.reachesAdmin),
    );
  for (const [name, levels] of Object.entries(e.data ?? {}))
    expect(
      sorted(
        b.data
          .find((d) => d.name === name)
          ?.access.filter((a) => a.via.length)
          .map((a) => a.level) ?? [],
      ),
      `data ${name}`,
    ).toEqual(sorted(levels));
  if (e.raisers) expect(sorted(b.raisers.map((r) => r.id))).toEqual(sorted(e.raisers));
  for (const [capability, [could, did, tried]] of Object.entries(e.couldVsDid ?? {})) {
    const line = b.couldVsDid.find((l) => l.capability === capability);
    expect([line?.could, line?.did, line?.tried], capability).toEqual([could, did, tried]);
  }
  for (const pattern of e.notChecked ?? [])
    expect(
      b.notChecked.some((l) => new RegExp(pattern).test(l)),
      `notChecked ~ ${pattern}: ${b.notChecked.join(' | ')}`,
    ).toBe(true);
  const name = (id: string) => b.graph.nodes.find((n) => n.id === id)?.name;
  for (const [from, to, trust] of e.edges ?? [])
    expect(
      b.graph.edges.some((g) => name(g.from) === from && name(g.to) === to && g.trust === trust),
      `edge ${from} → ${to} (${trust})`,
    ).toBe(true);
}

for (const file of files) {
  const cases = JSON.parse(readFileSync(join(folder, file), 'utf8')) as Case[];
  describe(file, () => {
    it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      check(await computeBlastRadius(c.input), c.expect);
    });
  });
}
