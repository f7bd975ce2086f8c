import { UserError } from '../errors.js';
import { timelineCsv } from './csv.js';
import { ocsfFindings } from './export-ocsf.js';
import { timesketchLines } from './export-timesketch.js';
import type { Doc } from './doc.js';
import { awsSupportCase, devNotice, statusUpdate } from './documents-comms.js';
import { decisionsDoc, fullReport, timelineDoc } from './documents-analysis.js';
import { executiveBriefing } from './documents-executive.js';
import { lessonsLearned } from './documents-lessons.js';
import type { Facts } from './facts.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';
import { isUnknown, unknownText } from './unknown.js';

/** The documents, by the name `tourniquet report --kind` takes. */
export const DOCUMENTS = {
  status: statusUpdate,
  dev: devNotice,
  executive: executiveBriefing,
  'aws-support': awsSupportCase,
  timeline: timelineDoc,
  decisions: decisionsDoc,
  lessons: lessonsLearned,
  full: fullReport,
} as const satisfies Record<string, (facts: Facts) => Doc>;

export type ReportKind = keyof typeof DOCUMENTS;
export const REPORT_KINDS = Object.keys(DOCUMENTS) as ReportKind[];
export const REPORT_FORMATS = ['md', 'html', 'json', 'csv', 'ocsf', 'timesketch'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** The file extension of a format. */
export const EXTENSIONS: Record<ReportFormat, string> = {
  md: 'md',
  html: 'html',
  json: 'json',
  csv: 'csv',
  ocsf: 'ocsf.jsonl',
  timesketch: 'jsonl',
};

function jsonLines(objects: object[]): string {
  return objects.map((o) => JSON.stringify(o) + '\n').join('');
}

/**
 * One document of the facts in one format. JSON is the facts model itself; CSV and Timesketch
 * JSONL are the timeline; OCSF is the findings as Detection Finding events, one a line.
 */
export function renderReport(facts: Facts, kind: ReportKind, format: ReportFormat): string {
  switch (format) {
    case 'json':
      return JSON.stringify(facts, null, 2) + '\n';
    case 'csv':
      if (kind !== 'timeline') {
        throw new UserError('REPORT_FORMAT', `--format csv exists only for --kind timeline (got ${kind}).`, {
          hint: 'Use `tourniquet report --kind timeline --format csv`.',
          exitCode: 2,
        });
      }
      if (isUnknown(facts.timeline)) {
        throw new UserError('REPORT_NO_TIMELINE', `The timeline is ${unknownText(facts.timeline)}.`, {
          hint: 'Run `tourniquet collect` and `tourniquet investigate` for this case first.',
        });
      }
      return timelineCsv(facts.timeline);
    case 'ocsf':
      return jsonLines(ocsfFindings(facts));
    case 'timesketch':
      if (isUnknown(facts.timeline)) {
        throw new UserError('REPORT_NO_TIMELINE', `The timeline is ${unknownText(facts.timeline)}.`, {
          hint: 'Run `tourniquet collect` and `tourniquet investigate` for this case first.',
        });
      }
      return jsonLines(timesketchLines(facts));
    case 'md':
      return renderMarkdown(DOCUMENTS[kind](facts));
    case 'html':
      return renderHtml(DOCUMENTS[kind](facts));
  }
}
