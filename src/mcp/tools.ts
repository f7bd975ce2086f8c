import { resolve } from 'node:path';
import { z } from 'zod';
import { callerIdentity } from '../aws/identity.js';
import { ownAccessKeyId } from '../aws/identity.js';
import { listCases } from '../case/list.js';
import { CATEGORIES, SEVERITIES } from '../detect/finding.js';
import { investigate } from '../detect/investigate.js';
import { buildFacts, isUnknown, renderReport, REPORT_KINDS, type ReportKind } from '../report/index.js';
import { summarizeBeside } from '../store/summary.js';
import { huntDocument, huntFiles } from '../trail/hunt.js';
import { assessCredential } from '../triage/triage.js';
import { initialStatusUpdate } from '../triage/status-update.js';
import { parseSubject } from '../triage/subject.js';
import { startFromAlert } from '../triggers/start.js';
import { caseEvents, caseFindings, caseStatus } from './case-reads.js';
import { caseDir, timeArg, ToolError } from './context.js';
import { anyObject, caseRef, defineTool, time, UNTRUSTED, type ToolDef } from './tool-def.js';
import { SCOPE_TOOLS } from './tools-scope.js';

export type { ToolDef } from './tool-def.js';

export const TOOLS: ToolDef[] = [
  defineTool({
    name: 'list_cases',
    title: 'List cases',
    description:
      'The case folders under the cases root, newest first: id, subject, account, status, awareness time.',
    input: {},
    output: { root: z.string(), cases: z.array(anyObject) },
    run: (_args, ctx) =>
      Promise.resolve({
        root: ctx.casesRoot,
        cases: listCases(ctx.casesRoot).map((c) =>
          c.case
            ? {
                id: c.case.id,
                dir: c.dir,
                created: c.case.created,
                subject: c.case.subject?.input ?? null,
                account: c.case.account,
                status: c.case.status,
                awareness: c.case.awareness,
                phases: c.case.phases,
              }
            : { dir: c.dir, problem: c.problem ?? 'unreadable' },
        ),
      }),
  }),
  defineTool({
    name: 'case_status',
    title: 'Case status',
    description:
      'One case: case.json (subject, account, status, awareness, phase times, responder), the journal’s last entry, the integrity check of journal and evidence, which phases produced their files, and the alerts it started from.',
    input: { case: caseRef },
    output: {
      dir: z.string(),
      case: anyObject,
      journal: anyObject,
      integrity: anyObject,
      files: z.record(z.boolean()),
      alerts: z.array(anyObject),
    },
    run: (args, ctx) => caseStatus(caseDir(ctx, args.case)),
  }),
  defineTool({
    name: 'triage',
    title: 'Triage a credential (read-only)',
    description:
      'Who owns a credential, what kind it is, its state, rights, quarantine and recent activity, and the severity, read from AWS without opening a case or changing anything. Give `subject` (access key id, user name or ARN, role ARN, root) or `alert` (the text of a GuardDuty finding, Health event, quarantine record, GitHub or cost alert), or both.' +
      UNTRUSTED,
    aws: true,
    input: {
      subject: z.string().optional().describe('AKIA…/ASIA… key id, user name or ARN, role ARN, or root'),
      alert: z.string().optional().describe('an alert document (JSON text), as `respond --from` reads it'),
    },
    output: {
      subject: z.string(),
      alert: anyObject.nullable(),
      triage: anyObject,
      statusUpdate: z.array(z.string()),
    },
    async run(args, ctx) {
      if (args.subject === undefined && args.alert === undefined)
        throw new ToolError('give subject or alert.');
      const pool = await ctx.aws();
      const start = args.alert
        ? await startFromAlert(args.alert, 'the alert', args.subject, async () => ({
            pool,
            now: ctx.clock.now(),
            ownKey: await ownAccessKeyId(pool),
          }))
        : undefined;
      const subject = start?.subject ?? args.subject!;
      const responder = await callerIdentity(pool);
      const report = await assessCredential(
        { clock: ctx.clock, log: ctx.log, progress: { start: () => ({ tick: () => {}, done: () => {} }) } },
        { pool, subject: parseSubject(subject), responder, caseId: null },
      );
      const { evidence: _evidence, ...alert } = start?.trigger ?? { evidence: '' };
      return {
        subject,
        alert: start ? { ...alert, followed: start.followed } : null,
        triage: report,
        statusUpdate: initialStatusUpdate(report, start?.trigger.awareness ?? null, responder.arn),
      };
    },
  }),
  defineTool({
    name: 'hunt',
    title: 'Hunt CloudTrail files',
    description:
      'Read CloudTrail files or folders (delivery files, .json.gz, arrays, NDJSON, lookup-events output) offline, optionally only one key or user and a time window, and summarise them: records, principals, keys, addresses, user agents, event names, errors, and the findings of the built-in rules. Loads them into a temporary store it deletes afterwards.' +
      UNTRUSTED,
    input: {
      paths: z.array(z.string()).min(1).describe('files or folders, relative to the server’s working folder'),
      key: z.string().optional().describe('only records signed by this access key id'),
      user: z.string().optional().describe('only records of this user name'),
      since: time('from'),
      until: time('to'),
    },
    output: { records: z.number(), files: z.number(), findings: z.array(anyObject) },
    async run(args, ctx) {
      const filter = {
        ...(args.key ? { accessKeyId: args.key } : {}),
        ...(args.user ? { userName: args.user } : {}),
        ...(args.since ? { since: timeArg('since', args.since) } : {}),
        ...(args.until ? { until: timeArg('until', args.until) } : {}),
      };
      const found = await huntFiles({ paths: args.paths.map((p) => resolve(ctx.cwd, p)), filter });
      try {
        const [summary, investigation] = await summarizeBeside(found.store, () =>
          investigate(found.store, args.key ? { subjectKeys: [args.key] } : {}),
        );
        return {
          ...huntDocument({ ingest: found.ingest, summary }, filter),
          findings: investigation.findings,
        };
      } finally {
        found.close();
      }
    },
  }),
  defineTool({
    name: 'events',
    title: 'Query a case’s events',
    description:
      'CloudTrail events collected into a case (its event store, opened read-only), oldest first, narrowed by any of: access key, principal (part of the ARN), event name, event source, source address, region, errors only, time window.' +
      UNTRUSTED,
    input: {
      case: caseRef,
      accessKeyId: z.string().optional(),
      principal: z.string().optional().describe('part of the principal ARN or user name'),
      eventName: z.string().optional(),
      eventSource: z.string().optional().describe('e.g. iam.amazonaws.com'),
      sourceIp: z.string().optional(),
      region: z.string().optional(),
      errorsOnly: z.boolean().optional(),
      since: time('from'),
      until: time('to'),
      limit: z.number().int().min(1).max(1000).optional().describe('at most this many events (default 100)'),
    },
    output: { case: z.string(), total: z.number(), returned: z.number(), events: z.array(anyObject) },
    async run(args, ctx) {
      const dir = caseDir(ctx, args.case);
      const { case: _case, limit, since, until, ...filter } = args;
      const window = { since: timeArg('since', since), until: timeArg('until', until) };
      return { case: dir, ...(await caseEvents(dir, { ...filter, ...window }, limit ?? 100)) };
    },
  }),
  defineTool({
    name: 'findings',
    title: 'Findings of a case',
    description:
      'The investigation’s findings (rule, category, ATT&CK technique, severity, principal, key, region, first and last seen, event ids, summary), filtered by minimum severity, category, or attributed to the compromise only.' +
      UNTRUSTED,
    input: {
      case: caseRef,
      minSeverity: z.enum(SEVERITIES).optional(),
      category: z.enum(CATEGORIES).optional(),
      attributedOnly: z.boolean().optional(),
    },
    output: { case: z.string(), total: z.number(), returned: z.number(), findings: z.array(anyObject) },
    run: (args, ctx) => {
      const dir = caseDir(ctx, args.case);
      return Promise.resolve({ case: dir, ...caseFindings(dir, args) });
    },
  }),
  defineTool({
    name: 'timeline',
    title: 'Timeline slice',
    description:
      'The attacker’s calls as the reports count them (the investigation’s attribution), with their bursts, between two times.' +
      UNTRUSTED,
    input: {
      case: caseRef,
      from: time('from'),
      to: time('to'),
      limit: z.number().int().min(1).max(2000).optional().describe('at most this many calls (default 200)'),
    },
    output: {
      case: z.string(),
      attribution: z.string(),
      total: z.number(),
      returned: z.number(),
      bursts: z.array(anyObject),
      events: z.array(anyObject),
    },
    async run(args, ctx) {
      const dir = caseDir(ctx, args.case);
      const from = timeArg('from', args.from) ?? '';
      const to = timeArg('to', args.to) ?? '9999';
      const facts = await buildFacts(dir, { asOf: ctx.clock.now() });
      if (isUnknown(facts.timeline))
        throw new ToolError(`the timeline of ${dir} is ${facts.timeline.unknown}.`);
      const inside = (t: string) => t >= from && t <= to;
      const events = facts.timeline.filter((e) => inside(new Date(e.time).toISOString()));
      const bursts = isUnknown(facts.bursts)
        ? []
        : facts.bursts.filter(
            (b) => inside(new Date(b.end).toISOString()) || inside(new Date(b.start).toISOString()),
          );
      return {
        case: dir,
        attribution: facts.attribution,
        total: events.length,
        returned: Math.min(events.length, args.limit ?? 200),
        bursts,
        events: events.slice(0, args.limit ?? 200),
      };
    },
  }),
  defineTool({
    name: 'lineage',
    title: 'Credential lineage',
    description:
      'The credentials derived from the case’s subject (sessions, assumed roles, cross-account roles, keys created, console sessions) as a tree, with who created each, when, and its activity.',
    input: { case: caseRef },
    output: { case: z.string(), lineage: anyObject },
    async run(args, ctx) {
      const dir = caseDir(ctx, args.case);
      const facts = await buildFacts(dir, { asOf: ctx.clock.now() });
      if (isUnknown(facts.lineage)) throw new ToolError(`the lineage of ${dir} is ${facts.lineage.unknown}.`);
      return { case: dir, lineage: facts.lineage };
    },
  }),
  ...SCOPE_TOOLS,
  defineTool({
    name: 'report',
    title: 'Report as text',
    description: `Any report of a case, rendered now from the case folder and written nowhere: kind ${REPORT_KINDS.join(', ')}; format md (default), json (the facts) or csv (timeline only).`,
    input: {
      case: caseRef,
      kind: z
        .enum(REPORT_KINDS as [ReportKind, ...ReportKind[]])
        .optional()
        .describe('default full'),
      format: z.enum(['md', 'json', 'csv']).optional(),
      asOf: time('the report’s time (default now)'),
    },
    output: { case: z.string(), kind: z.string(), format: z.string(), text: z.string() },
    text: (r) => String(r.text),
    async run(args, ctx) {
      const dir = caseDir(ctx, args.case);
      const asOf = new Date(timeArg('asOf', args.asOf) ?? ctx.clock.now().toISOString());
      const kind = args.kind ?? 'full';
      const format = args.format ?? 'md';
      const facts = await buildFacts(dir, { asOf });
      return { case: dir, kind, format, text: renderReport(facts, kind, format) };
    },
  }),
];
