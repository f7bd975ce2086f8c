import { coverageIncomplete, readLedger } from '../../trail/coverage.js';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CaseFolder } from '../../case/case.js';
import { isoSeconds } from '../../clock.js';
import { openGeoIp } from '../../detect/geoip.js';
import { investigate, type Investigation } from '../../detect/investigate.js';
import { longTermKeysOf } from '../../detect/lineage.js';
import { saveInvestigation } from '../../detect/save.js';
import { sigmaFor } from '../../detect/sigma/bundled.js';
import { UsageError, UserError } from '../../errors.js';
import { STORE_FILE, openEventStore } from '../../store/store.js';
import { callerIdentity } from '../../aws/identity.js';
import { formatSize, splitS3 } from '../../athena/layout.js';
import { recordQuery } from '../../athena/load.js';
import { resolveCaseDir } from '../case-dir.js';
import type { Block, Outcome, RunEnv } from '../spec.js';
import type { AthenaRules } from '../../athena/investigate.js';
import type { QueryEvidence } from '../../athena/load.js';
import type { EventStore } from '../../store/store.js';
import type { ProgressTask } from '../../context.js';
import { athenaSettings, requireAthenaEngine, type AthenaSettings } from './athena-settings.js';
import type { InvestigateInput } from './investigate.js';

/** CloudTrail's 90 days of Event history: the window the rules read in Athena without --since. */
const DEFAULT_ATHENA_WINDOW_MS = 90 * 24 * 3600 * 1000;

/** Run `tourniquet investigate`. */
export async function runInvestigate({ options }: InvestigateInput, env: RunEnv): Promise<Outcome> {
  const dir = resolveCaseDir(env);
  const storeFile = join(dir, STORE_FILE);
  const athena = athenaEngine(options);
  if (!athena && !existsSync(storeFile)) {
    throw new UserError('NO_EVENTS', `The case ${dir} has no event store (${STORE_FILE}) yet.`, {
      hint: 'Collect events first: `tourniquet collect` (or `tourniquet hunt PATH…` for files), or run the rules in place with --engine athena --source s3://BUCKET.',
    });
  }
  const baselineDays = options['baseline-days'] === undefined ? 30 : Number(options['baseline-days']);
  if (!Number.isInteger(baselineDays) || baselineDays < 1) {
    throw new UserError(
      'BAD_OPTION',
      `--baseline-days must be a whole number of days, got "${options['baseline-days']}".`,
      {
        hint: 'For example --baseline-days 30.',
        exitCode: 2,
      },
    );
  }
  const since = options.since === undefined ? undefined : isoTime(options.since);
  const sigma = await sigmaFor({
    noSigma: options['no-sigma'] === true,
    ...(options.rules ? { extraDir: resolve(env.cwd, options.rules) } : {}),
  });
  const geoip = options.geoip ? openGeoIp(resolve(env.cwd, options.geoip)) : undefined;
  const settings = athena ? athenaSettings(options, env) : undefined;
  const folder = CaseFolder.open(dir, { clock: env.clock });
  try {
    const subject = folder.info.subject;
    const store = await openEventStore(storeFile);
    let result: Investigation;
    let inPlace: AthenaRules | undefined;
    try {
      // A subject given as a user: follow every long-term key it signed with.
      const keys = options.key?.length
        ? options.key
        : subject?.accessKeyId
          ? [subject.accessKeyId]
          : await longTermKeysOf(store, { arn: subject?.arn, userName: subject?.userName });
      const task = env.progress.start(athena ? 'Investigating (rules in Athena)' : 'Investigating');
      if (athena && settings) {
        const now = env.clock.now();
        const window = {
          since: since ?? isoSeconds(new Date(now.getTime() - DEFAULT_ATHENA_WINDOW_MS)),
          until: isoSeconds(now),
        };
        inPlace = await rulesInAthena(env, athena, settings, window, store, task);
      }
      // Started once the rules run: a scan refused at its estimate leaves the phase as it was.
      folder.markPhase('investigate', 'started');
      result = await investigate(store, {
        subjectKeys: keys,
        baselineDays,
        ...(since ? { incidentSince: since } : {}),
        sigma,
        ...(geoip ? { geoip } : {}),
        ...(inPlace ? { rulesOn: inPlace, range: inPlace.window } : {}),
      });
      task.done(`${result.findings.length} findings`);
    } finally {
      store.close();
    }
    const files = saveInvestigation(folder, result);
    if (inPlace) {
      const stamp = env.clock.now().toISOString().replace(/[:.]/g, '-');
      await folder.addEvidence(
        `athena/investigate-queries-${stamp}.json`,
        `${JSON.stringify({ tables: qualified(inPlace), queries: inPlace.events.queries }, null, 2)}\n`,
        `Athena queries of the detection rules over ${athena!}`,
      );
    }
    folder.markPhase('investigate', 'completed');
    // Evidence collected with gaps (coverage.json) makes the findings partial too: exit 3, as collect does.
    const gaps = coverageIncomplete(readLedger(dir));
    if (gaps) env.log.warn('Coverage of the evidence is partial: findings may miss attacker activity.');
    const partial = gaps || result.ruleFailures.length > 0 || result.truncatedRules.length > 0;
    const engine = inPlace ? { engine: 'athena', athena: athenaSection(inPlace) } : {};
    return {
      exitCode: partial ? 3 : 0,
      json: { dir, files, ...engine, ...result },
      blocks: [...(inPlace ? athenaBlocks(inPlace) : []), ...blocksOf(result)],
    };
  } finally {
    folder.close();
  }
}

/** The trail bucket of `--engine athena` (checked before any AWS call), or undefined for the local store. */
function athenaEngine(options: InvestigateInput['options']): string | undefined {
  if (options.engine === undefined || options.engine === 'local') {
    if (options.source !== undefined)
      throw new UsageError(
        '--source is the trail bucket of --engine athena.',
        'Add --engine athena, or leave --source out.',
      );
    return undefined;
  }
  requireAthenaEngine(options.engine);
  if (!options.source?.startsWith('s3://'))
    throw new UsageError('--engine athena reads one trail bucket.', 'Pass --source s3://BUCKET[/PREFIX].');
  splitS3(options.source, '--source');
  return options.source;
}

/** Make the bucket's tables, estimate and confirm the scan; each query is recorded in the store. */
async function rulesInAthena(
  env: RunEnv,
  source: string,
  settings: AthenaSettings,
  window: { since: string; until: string },
  store: EventStore,
  task: ProgressTask,
): Promise<AthenaRules> {
  const { athenaRules } = await import('../../athena/investigate.js');
  const pool = await env.aws();
  // Unusable credentials are one line here, not an SDK error from the first S3 listing.
  await callerIdentity(pool);
  let n = 0;
  return athenaRules(pool, {
    source,
    window,
    ...settings,
    clock: env.clock,
    log: env.log,
    onQuery: async (q: QueryEvidence) => {
      task.tick(1, `statement ${++n} ${q.state.toLowerCase()}, ${formatSize(q.scannedBytes)} scanned`);
      await recordQuery(store, q);
    },
  });
}

function qualified(r: AthenaRules): string[] {
  return r.tables.map((t) => `${r.database}.${t}`);
}

function athenaSection(r: AthenaRules) {
  const queries = r.events.queries;
  return {
    database: r.database,
    tables: r.tables,
    estimatedBytesPerRead: r.estimate.bytes,
    estimatedObjects: r.estimate.objects,
    scannedBytes: queries.reduce((s, q) => s + q.scannedBytes, 0),
    queries: queries.map(({ sql: _sql, ...q }) => q),
  };
}

/** What Athena read for the rules, statement by statement. */
function athenaBlocks(r: AthenaRules): Block[] {
  const queries = r.events.queries;
  return [
    {
      kind: 'fields',
      title: 'Rules run with Athena',
      fields: [
        [r.tables.length === 1 ? 'Table' : 'Tables', qualified(r).join(', ')],
        ['Estimated read', `${formatSize(r.estimate.bytes)} in ${r.estimate.objects} objects per statement`],
        ['Scanned', formatSize(queries.reduce((s, q) => s + q.scannedBytes, 0))],
        ['Statements', queries.length],
      ],
    },
    {
      kind: 'table',
      title: 'Athena statements',
      columns: ['QUERY', 'STATE', 'ROWS', 'SCANNED', 'RESULT SHA256', 'REASON'],
      rows: queries.map((q) => [
        q.queryId,
        q.state,
        q.records,
        formatSize(q.scannedBytes),
        q.resultSha256 ? q.resultSha256.slice(0, 16) : '-',
        q.reason ?? '',
      ]),
    },
  ];
}

/** CloudTrail's eventtime format (UTC, seconds, `Z`), so the window compares as text. */
function isoTime(text: string): string {
  const ms = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(ms)) {
    throw new UserError('BAD_OPTION', `--since must be an ISO-8601 time, got "${text}".`, {
      hint: 'For example --since 2024-05-20T09:30:00Z.',
      exitCode: 2,
    });
  }
  return isoSeconds(new Date(ms));
}

function blocksOf(r: Investigation): Block[] {
  const blocks: Block[] = [
    {
      kind: 'fields',
      title: 'Investigation',
      fields: [
        ['Subject keys', r.subjectKeys.join(', ') || '(none: every finding is shown)'],
        ['Incident window', r.window ? `${r.window.since} … ${r.window.until}` : 'nothing suspicious found'],
        ['Findings', r.findings.length],
        ['Attributed', r.lineage ? r.findings.filter((f) => f.attributed).length : null],
        [
          'Not the subject’s',
          r.lineage
            ? `${r.findings.filter((f) => !f.attributed).length} (rated low here; "rule:" shows the rule's own rating)`
            : null,
        ],
        [
          'Owner’s calls left out',
          r.attribution
            ? `${r.attribution.ownerCalls} call(s) in the window from addresses the key used before it: ${r.attribution.ownerAddresses.join(', ') || '—'} (count them too if the owner's machine itself is compromised)`
            : null,
        ],
      ],
    },
    {
      kind: 'table',
      title: 'Findings',
      columns: ['SEVERITY', 'CATEGORY', 'RULE', 'PRINCIPAL', 'REGION', 'FIRST SEEN', 'EVENTS', 'SUMMARY'],
      rows: r.findings.map((f) => [
        f.ruleSeverity ? `${f.severity} (rule: ${f.ruleSeverity})` : f.severity,
        f.category,
        f.ruleId,
        f.principal,
        f.region ?? (f.regions ?? []).join(','),
        f.firstSeen,
        f.eventIds.length,
        f.summary,
      ]),
    },
  ];
  if (r.lineageText.length) blocks.push({ kind: 'text', lines: ['Credential lineage:', ...r.lineageText] });
  if (r.anomalies) {
    const a = r.anomalies;
    const list = (values: { value: string; network?: string | null }[]): string =>
      values.map((v) => (v.network ? `${v.value} (${v.network})` : v.value)).join(', ') || '—';
    blocks.push({
      kind: 'fields',
      title: `Compared with the baseline ${a.baseline.since} … ${a.baseline.until} (${a.baseline.events} events)`,
      fields: [
        ['New source IPs', list(a.newSourceIps)],
        ['New networks', list(a.newNetworks)],
        ['New user agents', list(a.newUserAgents)],
        ['New regions', list(a.newRegions)],
        ['New services', list(a.newServices)],
        ['New API calls', list(a.newEventNames)],
        [
          'Error rate',
          `${a.errorRate.baseline} → ${a.errorRate.incident}${a.errorRate.spike ? ' (spike)' : ''}`,
        ],
      ],
    });
  }
  blocks.push({
    kind: 'table',
    title: 'Timeline of attacker activity',
    columns: ['START', 'END', 'EVENTS', 'FAILED', 'TOP CALLS', 'REGIONS', 'SOURCE IPS'],
    rows: r.timeline.map((b) => [
      b.start,
      b.end,
      b.events,
      b.failed,
      b.topCalls.join(', '),
      b.regions.join(','),
      b.sourceIps.join(','),
    ]),
  });
  const unsupported = r.sigmaReport.filter((s) => s.status === 'unsupported');
  if (r.sigmaReport.length) {
    blocks.push({
      kind: 'text',
      lines: [
        `Sigma: ${r.sigmaReport.length - unsupported.length} rules compiled, ${unsupported.length} unsupported (rules by their authors, SigmaHQ, Detection Rule License 1.1).`,
        ...unsupported.map((s) => `  unsupported ${s.file}: ${s.reason ?? ''}`),
      ],
    });
  }
  if (r.ruleFailures.length || r.truncatedRules.length) {
    blocks.push({
      kind: 'text',
      lines: [
        ...r.ruleFailures.map((f) => `Rule ${f.ruleId} could not run: ${f.error}`),
        ...r.truncatedRules.map((id) => `Rule ${id} matched too many events; its findings are partial.`),
      ],
    });
  }
  return blocks;
}
