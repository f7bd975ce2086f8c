import { originLabel } from '../../scope/types.js';
import { CaseFolder } from '../../case/case.js';
import { blastRadiusLines } from '../../iam/index.js';
import type { InventoryCoverage } from '../../inventory/types.js';
import { scope, type ScopeResult } from '../../scope/scope.js';
import { caseContext, resolveCaseDir } from '../case-dir.js';
import type { Block, Outcome, RunEnv } from '../spec.js';
import type { ScopeInput } from './scope.js';

/** Run `tourniquet scope`. */
export async function runScope({ options }: ScopeInput, env: RunEnv): Promise<Outcome> {
  const dir = resolveCaseDir(env);
  const folder = CaseFolder.open(dir, { clock: env.clock });
  try {
    const ctx = await caseContext(env, folder);
    const result = await scope(ctx, {
      ...(options['only-region']?.length ? { regions: options['only-region'] } : {}),
      accountRole: options['account-role'],
    });
    for (const note of result.notes) env.log.warn(note);
    if (result.raised)
      env.log.warn(
        `Severity raised ${result.raised.from ? `from ${result.raised.from} ` : ''}to ${result.raised.to} by the blast radius: ${result.raised.reasons.join('; ')}`,
      );
    const { document } = result;
    return {
      exitCode: result.partial ? 3 : 0,
      json: {
        case: folder.id,
        file: result.file,
        inventory: document.inventory,
        persistence: document.persistence,
        blastRadius: document.blastRadius ?? null,
        coverage: document.coverage,
        summary: document.summary,
        window: document.window,
        notes: result.notes,
        severityRaised: result.raised ?? null,
      },
      blocks: blocksOf(result),
    };
  } finally {
    folder.close();
  }
}

/**
 * Coverage lines grouped by lister and outcome: one line for "failed in 17 regions". Reasons
 * that differ only by a resource id (a detector per region) share the line: the first is shown.
 */
const sameReason = (reason: string | undefined): string => (reason ?? '').replace(/[0-9a-f]{12,}/g, '…');

function coverageRows(coverage: InventoryCoverage[]): (string | number)[][] {
  const groups = new Map<string, { c: InventoryCoverage; regions: string[]; reasons: Set<string> }>();
  for (const c of coverage) {
    if (c.status === 'complete') continue;
    const key = `${c.lister}\u0000${c.status}`;
    const g = groups.get(key);
    if (g) {
      g.regions.push(c.region);
      g.reasons.add(sameReason(c.reason));
    } else groups.set(key, { c, regions: [c.region], reasons: new Set([sameReason(c.reason)]) });
  }
  return [...groups.values()].map(({ c, regions, reasons }) => [
    c.status,
    c.lister,
    regions.length > 3 ? `${regions.length} regions` : regions.join(','),
    (c.reason ?? '') + (reasons.size > 1 ? ` (and ${reasons.size - 1} other reason(s) in scope.json)` : ''),
  ]);
}

function blocksOf(r: ScopeResult): Block[] {
  const d = r.document;
  const s = d.summary;
  const blocks: Block[] = [
    {
      kind: 'fields',
      title: `Scope of account ${d.account}`,
      fields: [
        [
          'Incident window',
          d.window ? `${d.window.since} … ${d.window.until}` : 'none (nothing is attributed to an attacker)',
        ],
        [
          'Regions read',
          `${d.regions.enabled.length} (${d.regions.source})${d.regions.disabled.length ? `; ${d.regions.disabled.length} not enabled, skipped` : ''}`,
        ],
        [
          'Resources',
          `${s.resources}: ${s.byOrigin.attacker} attacker’s, ${s.byOrigin['pre-existing']} pre-existing, ${s.byOrigin.unknown} unknown` +
            (s.responder ? `, ${s.responder} the responder’s own` : ''),
        ],
        [
          'Ways back in',
          `${s.persistence.attacker} attacker’s, ${s.persistence.unknown} unknown, ${s.persistence.preExisting} pre-existing to review`,
        ],
        [
          'Not checked',
          s.notChecked ? `${s.notChecked} service reads (service × region; see Coverage)` : 'nothing',
        ],
        ['Written', `${r.file.path} (sha256 ${r.file.sha256.slice(0, 16)}…)`],
      ],
    },
    {
      kind: 'table',
      title: 'Backdoors and ways back in',
      columns: ['ORIGIN', 'RISK', 'KIND', 'NAME', 'REGION', 'ADMITS', 'EVENTS', 'WHY'],
      rows: d.persistence.map((p) => [
        originLabel(p),
        p.risk,
        p.kind,
        p.name,
        p.region,
        (p.admits ?? []).join(', '),
        p.eventIds.length,
        p.why,
      ]),
    },
    {
      kind: 'table',
      title: 'Resources the attacker created or changed',
      columns: ['HOW', 'TYPE', 'ID', 'NAME', 'REGION', 'EVENTS'],
      rows: d.inventory
        .filter((i) => i.attribution?.origin === 'attacker')
        .map((i) => [
          i.attribution?.how ?? '',
          i.type,
          i.id,
          i.name,
          i.region,
          i.attribution?.eventIds.length ?? 0,
        ]),
    },
  ];
  if (d.blastRadius)
    blocks.splice(1, 0, {
      kind: 'fields',
      title: 'Blast radius: what the credential could do, beside what it did',
      fields: blastRadiusLines(d.blastRadius),
    });
  const unknown = d.inventory.filter(
    (i) => i.attribution?.origin === 'unknown' && !i.attribution.byResponder && i.account !== 'aws',
  );
  if (unknown.length)
    blocks.push({
      kind: 'table',
      title: `Resources of unknown origin (${unknown.length})`,
      columns: ['TYPE', 'ID', 'REGION', 'WHY'],
      rows: unknown.map((i) => [i.type, i.id, i.region, i.attribution?.reason ?? '']),
    });
  const rows = coverageRows(d.coverage);
  if (rows.length)
    blocks.push({
      kind: 'table',
      title: 'Coverage: not read',
      columns: ['STATUS', 'WHAT', 'WHERE', 'REASON'],
      rows,
    });
  return blocks;
}
