import { resolve } from 'node:path';
import type { Finding } from '../../detect/finding.js';
import type { SigmaLoad } from '../../detect/sigma/load.js';
import type { EventStore } from '../../store/store.js';
import { summarizeBeside } from '../../store/summary.js';
import { huntDocument, huntFiles } from '../../trail/hunt.js';
import type { RecordFilter } from '../../trail/ingest.js';
import { checkWindow, parseTimeBound } from '../../trail/window.js';
import { checkAccessKeyId } from '../../key-id.js';
import { UsageError } from '../../errors.js';
import type { CoverageEntry } from '../../trail/coverage.js';
import type { Block, Outcome, RunEnv } from '../spec.js';
import type { HuntInput } from './hunt.js';

/** Whether detection ran on the hunted events, and what it found. */
export interface Detection {
  ran: boolean;
  /** Why not, or which rules failed. */
  note: string | null;
  findings: Finding[];
  /** The Sigma rules that ran, and those that could not be compiled with the reason. */
  sigma: { compiled: number; unsupported: { file: string; reason: string }[] };
}

/**
 * Run the investigation's rules (built-in and Sigma) on the hunted events (src/detect). With
 * `--key`, the key's lineage attributes findings to it. A rule that fails is reported, never hidden.
 */
export async function detectFindings(
  store: EventStore,
  key: string | undefined,
  sigma: SigmaLoad,
): Promise<Detection> {
  const { investigate } = await import('../../detect/investigate.js');
  const result = await investigate(store, { ...(key ? { subjectKeys: [key] } : {}), sigma });
  const failed = result.ruleFailures.map((f) => f.ruleId);
  const unsupported = sigma.report.filter((s) => s.status === 'unsupported');
  return {
    ran: true,
    note: failed.length > 0 ? `rules that failed to run: ${failed.join(', ')}` : null,
    findings: result.findings,
    sigma: {
      compiled: sigma.rules.length,
      unsupported: unsupported.map((s) => ({ file: s.file, reason: s.reason ?? '' })),
    },
  };
}

/** A hunt by query (Athena, CloudTrail Lake): its store, what was read and the coverage lines. */
interface QueryHunt {
  store: EventStore;
  ingest: Parameters<typeof huntDocument>[0]['ingest'];
  summary: Parameters<typeof huntDocument>[0]['summary'];
  coverage: CoverageEntry[];
}

/**
 * The outcome of a hunt by query: detection on its events, the document with the engine's own
 * section and the coverage lines, the engine's blocks in place of a file hunt's "CloudTrail read";
 * exit 3 when a line is not complete.
 */
export async function queryHuntOutcome(
  hunt: QueryHunt,
  o: { filter: RecordFilter; key: string | undefined; sigma: SigmaLoad },
  engine: Record<string, unknown>,
  engineBlocks: Block[],
): Promise<Outcome> {
  const detection = await detectFindings(hunt.store, o.key, o.sigma);
  const doc = {
    ...huntDocument(hunt, definedOnly(o.filter)),
    ...engine,
    coverage: hunt.coverage,
    findings: detection.findings,
    detection: { ran: detection.ran, note: detection.note, sigma: detection.sigma },
  };
  const partial = hunt.coverage.some((c) => c.status !== 'complete');
  return {
    exitCode: partial ? 3 : 0,
    json: doc,
    blocks: [...engineBlocks, ...huntBlocks(doc, detection).slice(1)],
  };
}

/** Run `tourniquet hunt`. */
export async function runHunt({ options, args }: HuntInput, env: RunEnv): Promise<Outcome> {
  if (options.engine === 'lake') return (await import('./lake-run.js')).runLakeHunt({ options, args }, env);
  if (args.length === 0) throw new UsageError('missing PATH', 'Name CloudTrail files or folders to read.');
  if (options.engine !== undefined && options.engine !== 'local')
    return (await import('./hunt-athena-run.js')).runAthenaHunt({ options, args }, env);
  const filter = huntFilter(options, env.clock.now());
  const compileRules = async (): Promise<SigmaLoad> => {
    const { sigmaFor } = await import('../../detect/sigma/bundled.js');
    return sigmaFor({
      noSigma: options['no-sigma'] === true,
      ...(options.rules ? { extraDir: resolve(env.cwd, options.rules) } : {}),
    });
  };
  // A bad --rules folder is refused before any file is loaded; the bundled rules and the
  // detection modules load while the hunt's workers search.
  const given = options.rules ? await compileRules() : undefined;
  const hunting = huntFiles({
    paths: args.map((p) => resolve(env.cwd, p)),
    filter,
    storeFile: options.store === undefined ? undefined : resolve(env.cwd, options.store),
    progress: env.progress,
  });
  // Awaited below: a failure while the rules compile is not an unhandled rejection.
  hunting.catch(() => undefined);
  // (Imported only once the search was over, the detection modules' 50 ms delayed detection.)
  import('../../detect/investigate.js').catch(() => undefined);
  let sigma: SigmaLoad;
  try {
    sigma = given ?? (await compileRules());
  } catch (error) {
    (await hunting.catch(() => undefined))?.close();
    throw error;
  }
  const found = await hunting;
  try {
    const [summary, detection] = await summarizeBeside(found.store, () =>
      detectFindings(found.store, options.key, sigma),
    );
    const doc = {
      ...huntDocument({ ingest: found.ingest, summary }, definedOnly(filter)),
      findings: detection.findings,
      detection: { ran: detection.ran, note: detection.note, sigma: detection.sigma },
    };
    const partial = doc.badFiles.length > 0 || doc.badRecords > 0;
    return { exitCode: partial ? 3 : 0, json: doc, blocks: huntBlocks(doc, detection) };
  } finally {
    found.close();
  }
}

/** The records a hunt keeps, from its options (a bad key id or time is refused here, before any work). */
export function huntFilter(options: HuntInput['options'], now: Date): RecordFilter {
  checkAccessKeyId(options.key);
  const filter: RecordFilter = {
    accessKeyId: options.key,
    userName: options.user,
    since: options.since === undefined ? undefined : parseTimeBound(options.since, 'since', now),
    until: options.until === undefined ? undefined : parseTimeBound(options.until, 'until', now),
  };
  checkWindow(filter.since, filter.until);
  return filter;
}

/** The filter with only the bounds given (as the document shows it). */
export function definedOnly(filter: RecordFilter): RecordFilter {
  return Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined));
}

type Doc = ReturnType<typeof huntDocument>;

/** Rows per ranked table on a terminal; `--json` carries the longer lists. */
const SHOWN = 20;

export function huntBlocks(doc: Doc, detection: Detection): Block[] {
  const titled = (title: string, shown: number, distinct: number | undefined): string =>
    distinct !== undefined && distinct > shown ? `${title} (top ${shown} of ${distinct})` : title;
  const ranked = (
    title: string,
    list: { value: string; count: number }[],
    distinct: number | undefined,
  ): Block => ({
    kind: 'table',
    title: titled(title, Math.min(list.length, SHOWN), distinct),
    columns: ['COUNT', 'VALUE'],
    rows: list.slice(0, SHOWN).map((r) => [r.count, r.value]),
  });
  const filter = Object.entries(doc.filter).map(([k, v]) => `${k}=${String(v)}`);
  const blocks: Block[] = [
    {
      kind: 'fields',
      title: 'CloudTrail read',
      fields: [
        ['Records', doc.records],
        ['Files', doc.files],
        ['Filter', filter.length > 0 ? filter.join(' ') : 'none'],
        ['First event', doc.timeRange.first],
        ['Last event', doc.timeRange.last],
        ['Bad files', doc.badFiles.length],
        ['Bad records', doc.badRecords],
        ['Duplicates', doc.duplicates],
        ['Mentions', doc.mentions.count],
        ['Skipped', doc.skipped.length > 0 ? `${doc.skipped.length} (digest files)` : 0],
      ],
    },
  ];
  if (doc.badFiles.length > 0) {
    blocks.push({
      kind: 'table',
      title: 'Bad files',
      columns: ['FILE', 'REASON'],
      rows: doc.badFiles.map((b) => [b.path, b.reason]),
    });
  }
  if (doc.badRecordDetails.length > 0) {
    blocks.push({
      kind: 'table',
      title: 'Bad records',
      columns: ['COUNT', 'REASON', 'FILE'],
      rows: doc.badRecordDetails.map((b) => [b.count, b.reason, b.path]),
    });
  }
  if (doc.mentions.count > 0) {
    blocks.push({
      kind: 'table',
      title: `Mentions: records naming the value, made by someone else (${doc.mentions.count})`,
      columns: ['TIME', 'EVENT', 'PRINCIPAL', 'ACCESS KEY'],
      rows: doc.mentions.events
        .slice(0, SHOWN)
        .map((m) => [m.eventTime, m.eventName, m.principal, m.accessKeyId]),
    });
  }
  blocks.push(
    {
      kind: 'table',
      title: titled('Principals', Math.min(doc.principals.length, SHOWN), doc.distinct.principals),
      columns: ['EVENTS', 'TYPE', 'KEYS', 'FIRST', 'LAST', 'PRINCIPAL'],
      rows: doc.principals
        .slice(0, SHOWN)
        .map((p) => [p.count, p.type, p.accessKeys, p.first, p.last, p.arn]),
    },
    {
      kind: 'table',
      title: titled('Access keys', Math.min(doc.accessKeys.length, SHOWN), doc.distinct.accessKeys),
      columns: ['EVENTS', 'ACCESS KEY', 'FIRST', 'LAST', 'PRINCIPAL'],
      rows: doc.accessKeys.slice(0, SHOWN).map((k) => [k.count, k.accessKeyId, k.first, k.last, k.principal]),
    },
    ranked('Accounts', doc.accounts, doc.distinct.accounts),
    ranked('Regions', doc.regions, doc.distinct.regions),
    ranked('Source IPs', doc.sourceIps, doc.distinct.sourceIps),
    ranked('User agents', doc.userAgents, doc.distinct.userAgents),
    ranked('Top event names', doc.eventNames, doc.distinct.eventNames),
    ranked('Error codes', doc.errorCodes, doc.distinct.errorCodes),
  );
  if (!detection.ran) {
    blocks.push({
      kind: 'text',
      lines: [`Findings: not computed (${detection.note ?? 'detection unavailable'}).`],
    });
  } else {
    blocks.push({
      kind: 'table',
      title: `Findings (${detection.findings.length})`,
      columns: ['SEVERITY', 'CATEGORY', 'FIRST SEEN', 'PRINCIPAL', 'SUMMARY'],
      rows: detection.findings.map((f) => [f.severity, f.category, f.firstSeen, f.principal, f.summary]),
    });
    if (detection.note) blocks.push({ kind: 'text', lines: [detection.note] });
    const { compiled, unsupported } = detection.sigma;
    if (compiled + unsupported.length > 0)
      blocks.push({
        kind: 'text',
        lines: [
          `Sigma: ${compiled} rules ran, ${unsupported.length} could not be compiled (rules by their authors, SigmaHQ, Detection Rule License 1.1).`,
          ...unsupported.map((s) => `  not compiled ${s.file}: ${s.reason}`),
        ],
      });
  }
  return blocks;
}
