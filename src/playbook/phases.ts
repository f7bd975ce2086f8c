import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { contain, type ContainResult } from '../actions/contain.js';
import { AccountPools } from '../actions/accounts.js';
import type { PlanRecord } from '../actions/journal-view.js';
import { callerIdentity } from '../aws/identity.js';
import { EVIDENCE_DIR } from '../case/case.js';
import type { Phase } from '../case/schema.js';
import type { CaseContext } from '../context.js';
import { investigate, type Investigation } from '../detect/investigate.js';
import { saveInvestigation } from '../detect/save.js';
import { buildFacts, isUnknown, renderReport } from '../report/index.js';
import { readScope, scope } from '../scope/scope.js';
import type { ScopeDocument } from '../scope/types.js';
import { EVENTS_TABLE } from '../store/schema.js';
import { STORE_FILE, openEventStore, type EventStore } from '../store/store.js';
import type { TriageReport } from '../triage/report.js';
import { initialStatusUpdate } from '../triage/status-update.js';
import { triage } from '../triage/triage.js';
import type { CollectResult } from '../trail/collect.js';
import type { EradicateResult } from '../eradicate/eradicate.js';
import type { RecoverResult } from '../recover/recover.js';
import { collectEvidence } from './collect.js';
import { ERADICATE_PHASES } from './phases-eradicate.js';
import { recordSesStatistics } from './ses-statistics.js';
import { journalEntries } from './journal-read.js';
import {
  containParagraph,
  collectParagraph,
  investigateParagraph,
  scopeParagraph,
  triageParagraph,
} from './words.js';

/** What a phase ended in. `declined`: the responder said no (containment not applied). */
export type PhaseState = 'done' | 'partial' | 'declined' | 'failed' | 'skipped';

export interface PhaseOutcome {
  state: PhaseState;
  /** One paragraph for the responder. */
  summary: string;
}

/** The files the report phase writes into the case folder. */
export const REPORT_FILES = {
  html: 'report.html',
  md: 'report.md',
  csv: 'timeline.csv',
  json: 'facts.json',
} as const;

/** The running playbook: its context, options, and what earlier phases produced. */
export interface Run {
  ctx: CaseContext;
  yes: boolean;
  confirm: ((question: string) => Promise<boolean>) | undefined;
  onPlan: ((plan: PlanRecord) => void) | undefined;
  accountRole: string | undefined;
  startedAt: Date;
  triage?: TriageReport;
  statusUpdate?: string[];
  contain?: ContainResult;
  collect?: CollectResult;
  investigation?: Investigation;
  scope?: ScopeDocument | undefined;
  /** Rotate the credential in the recovery phase (else it is left to the person). */
  rotate: boolean;
  /** Where a new credential goes (printed once or written 0600 by the CLI), never the case. */
  reveal: ((label: string, secret: string) => void) | undefined;
  eradicate?: EradicateResult;
  recover?: RecoverResult;
  /** Things only a person can do, gathered along the way. */
  manual: string[];
}

/** One phase of the playbook: run it, or (when the journal says it completed) reload what it left. */
export interface PhaseDef {
  phase: Phase;
  title: string;
  run(run: Run): Promise<PhaseOutcome>;
  /** Reload the phase's results from the case when a re-run skips it. */
  reload?(run: Run): void;
}

/** The playbook's order (DESIGN.md §2): stop the bleeding first, then look, then write it up. */
export const PLAYBOOK: PhaseDef[] = [
  {
    phase: 'triage',
    title: 'Triage',
    async run(run) {
      const { ctx } = run;
      const responder = await callerIdentity(ctx.aws);
      if (!ctx.case.info.responder)
        ctx.case.update({
          responder: { arn: responder.arn, account: responder.account, userId: responder.userId },
        });
      const report = await triage(ctx, { pool: ctx.aws, folder: ctx.case, responder });
      run.triage = report;
      run.statusUpdate = initialStatusUpdate(report, ctx.case.info.awareness, responder.arn);
      ctx.case.record('status-update.initial', { text: run.statusUpdate.join('\n') });
      return { state: report.notChecked.length ? 'partial' : 'done', summary: triageParagraph(report) };
    },
    reload(run) {
      const file = run.ctx.case.path(EVIDENCE_DIR, 'triage.json');
      if (existsSync(file)) run.triage = JSON.parse(readFileSync(file, 'utf8')) as TriageReport;
    },
  },
  {
    phase: 'contain',
    title: 'Containment',
    async run(run) {
      const r = await contain(run.ctx, {
        apply: run.yes,
        confirm: run.yes ? undefined : run.confirm,
        startedAt: run.startedAt,
        onPlan: run.onPlan,
        accountRole: run.accountRole,
      });
      run.contain = r;
      run.manual.push(...r.manual);
      const state: PhaseState =
        r.state === 'contained'
          ? r.notChecked.length
            ? 'partial'
            : 'done'
          : r.state === 'planned'
            ? 'declined'
            : r.state === 'manual-only'
              ? 'partial'
              : 'failed';
      return { state, summary: containParagraph(r) };
    },
  },
  {
    phase: 'collect',
    title: 'Collection',
    async run(run) {
      const { ctx } = run;
      // The collector marks the phase started and (unless interrupted) completed.
      const t = run.triage;
      const account = t?.resolved.account ?? t?.resolved.ourAccount ?? ctx.case.info.account ?? '';
      const created = t?.key?.created ? new Date(t.key.created) : undefined;
      // Sessions that crossed into other accounts are looked up there through --account-role.
      const pools = run.accountRole ? await AccountPools.forCase(ctx, run.accountRole) : undefined;
      let r: CollectResult;
      try {
        r = await collectEvidence(ctx, {
          keys: [...subjectKeys(run), ...derivedKeys(run)],
          userName: t?.resolved.user?.name,
          account,
          since: created,
          poolFor: pools ? (a) => pools.poolFor(a) : undefined,
        });
      } finally {
        await pools?.destroy();
      }
      run.collect = r;
      return { state: r.incomplete ? 'partial' : 'done', summary: collectParagraph(r) };
    },
  },
  {
    phase: 'investigate',
    title: 'Investigation',
    async run(run) {
      const { ctx } = run;
      ctx.case.markPhase('investigate', 'started');
      const store = await openEventStore(ctx.case.path(STORE_FILE));
      let result: Investigation;
      try {
        const task = ctx.progress.start('Investigating');
        const keys = [...subjectKeys(run), ...(await userSessionKeys(run, store))];
        result = await investigate(store, { subjectKeys: keys, baselineDays: 30 });
        task.done(`${result.findings.length} findings`);
      } finally {
        store.close();
      }
      saveInvestigation(ctx.case, result);
      run.investigation = result;
      ctx.case.markPhase('investigate', 'completed');
      const partial = result.ruleFailures.length > 0 || result.truncatedRules.length > 0;
      return { state: partial ? 'partial' : 'done', summary: investigateParagraph(result) };
    },
  },
  {
    phase: 'scope',
    title: 'Scope',
    async run(run) {
      const r = await scope(run.ctx, { accountRole: run.accountRole });
      run.scope = r.document;
      return { state: r.partial ? 'partial' : 'done', summary: scopeParagraph(r) };
    },
    reload(run) {
      run.scope = readScope(run.ctx.case);
    },
  },
  ...ERADICATE_PHASES,
  {
    phase: 'report',
    title: 'Report',
    async run(run) {
      const { ctx } = run;
      ctx.case.markPhase('report', 'started');
      let facts = await buildFacts(ctx.case.dir, { asOf: ctx.clock.now() });
      // The attacker's mail is in no CloudTrail record: SES's own statistics count it.
      const sesRegions = isUnknown(facts.cost) ? [] : (facts.cost.messaging?.sesRegions ?? []);
      if (sesRegions.length) {
        await recordSesStatistics(ctx, sesRegions);
        facts = await buildFacts(ctx.case.dir, { asOf: ctx.clock.now() });
      }
      const written = [
        write(ctx, REPORT_FILES.html, renderReport(facts, 'full', 'html')),
        write(ctx, REPORT_FILES.md, renderReport(facts, 'full', 'md')),
        write(ctx, REPORT_FILES.csv, renderReport(facts, 'timeline', 'csv')),
        write(ctx, REPORT_FILES.json, renderReport(facts, 'full', 'json')),
      ];
      ctx.case.record('report.written', { files: written });
      ctx.case.markPhase('report', 'completed');
      return {
        state: 'done',
        summary:
          `Wrote the full incident report (${REPORT_FILES.html}, ${REPORT_FILES.md}) the timeline (${REPORT_FILES.csv}) and the facts they rest on (${REPORT_FILES.json}) ` +
          `into ${ctx.case.dir}. Other documents (status update, developer notice, executive briefing, AWS Support case, ` +
          'decisions) come from `tourniquet report --kind KIND` on the same case.',
      };
    },
  },
];

/** The keys the compromise started from: the subject's key, or every key of the subject user. */
export function subjectKeys(run: Run): string[] {
  const s = run.ctx.case.info.subject;
  const t = run.triage;
  const one = s?.accessKeyId ?? t?.resolved.accessKeyId;
  if (one) return [one];
  return [t?.key?.accessKeyId, ...(t?.otherKeys ?? []).map((k) => k.accessKeyId)].filter(
    (k): k is string => typeof k === 'string',
  );
}

/**
 * For a user subject every credential of the user is suspect, including the temporary keys its
 * sessions signed with (console sign-ins and GetSessionToken both act as the IAM user in
 * CloudTrail, `userIdentity.type` IAMUser with an ASIA key); without them, console actions after a
 * stolen password would not be attributed.
 */
async function userSessionKeys(run: Run, store: EventStore): Promise<string[]> {
  const s = run.ctx.case.info.subject;
  const arn = run.triage?.resolved.user?.arn;
  if (!arn || s?.accessKeyId || run.triage?.resolved.accessKeyId) return [];
  const rows = await store.query<{ k: string }>(
    `SELECT DISTINCT useridentity.accesskeyid AS k FROM ${EVENTS_TABLE}
     WHERE useridentity.type = 'IAMUser' AND useridentity.arn = ? AND useridentity.accesskeyid LIKE 'ASIA%'`,
    [arn],
  );
  return rows.map((r) => r.k);
}

/** Sessions containment found (this run, or a previous one per the journal). */
function derivedKeys(run: Run): string[] {
  if (run.contain) return run.contain.lineage.map((s) => s.accessKeyId);
  return journalEntries(run.ctx.case, 'contain.lineage').flatMap((e) =>
    ((e.data as { sessions?: { accessKeyId: string }[] }).sessions ?? []).map((s) => s.accessKeyId),
  );
}

function write(ctx: CaseContext, name: string, content: string): { path: string; sha256: string } {
  const file = ctx.case.path(name);
  writeFileSync(`${file}.tmp`, content);
  renameSync(`${file}.tmp`, file);
  return { path: name, sha256: createHash('sha256').update(content).digest('hex') };
}
