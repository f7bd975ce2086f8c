import { forHtml } from '../untrusted.js';
import { lineageOrNote } from '../report/charts.js';
import { renderBlocks } from '../report/html.js';
import { decisionBlocks, metricBlocks } from '../report/documents-analysis.js';
import { renderReport } from '../report/render.js';
import { factText, isUnknown } from '../report/unknown.js';
import { containedText, costText, severityText, subjectText, utc } from '../report/words.js';
import type { CaseData } from './case-data.js';
import { table } from './html.js';
import { eradicationPage } from './page-eradicate.js';
import { timelinePage } from './page-timeline.js';

/** A page of a case: its path under the case, its name in the navigation, its body. */
export interface CasePage {
  path: string;
  name: string;
  /** `query`: the page's URL parameters (the timeline's window). */
  render(data: CaseData, query: URLSearchParams): string;
}

const esc = forHtml;

function card(title: string, value: string, note = '', tone = ''): string {
  return `<section class="card"><h2>${esc(title)}</h2><p class="big ${tone}">${esc(value)}</p>${note ? `<p class="muted">${esc(note)}</p>` : ''}</section>`;
}

function overview(d: CaseData): string {
  const f = d.facts;
  const coverage = isUnknown(f.coverage)
    ? factText(f.coverage)
    : ['complete', 'partial', 'failed']
        .map((s) => `${(f.coverage as { state: string }[]).filter((c) => c.state === s).length} ${s}`)
        .join(', ');
  const phases = Object.entries(d.info.phases).map(([phase, t]) => [
    esc(phase),
    t.completed ? 'done' : t.started ? '<strong>running</strong>' : 'not started',
    esc(t.started ? utc(t.started) : ''),
    esc(t.completed ? utc(t.completed) : ''),
  ]);
  const deadlines = f.decisions.flatMap((dec) =>
    dec.deadlines.map((x) => [
      esc(dec.question),
      esc(x.label),
      isUnknown(x.at) ? esc(factText(x.at)) : esc(utc(x.at)),
      isUnknown(x.at) ? '' : `<span data-deadline="${esc(x.at)}">${esc(utc(x.at))}</span>`,
    ]),
  );
  return [
    `<h1>${esc(subjectText(f.subject))}</h1>`,
    `<p class="muted">Case ${esc(d.info.id)} · status ${esc(d.info.status)}</p>`,
    '<div class="cards">',
    card('Severity', isUnknown(f.severity) ? 'unknown' : f.severity.level, severityText(f), 'bad'),
    card(
      'Containment',
      f.contained ? 'verified' : 'not verified',
      containedText(f),
      f.contained ? 'good' : 'bad',
    ),
    card('Coverage', coverage, 'collection ledger lines by state'),
    card('Estimated cost', isUnknown(f.cost) ? 'unknown' : `$${f.cost.totalUsd.toFixed(2)}`, costText(f)),
    card(
      'Journal',
      d.integrity.ok ? 'verified' : 'PROBLEMS',
      `${d.integrity.journalLines} lines, ${d.integrity.evidenceFiles} evidence files`,
      d.integrity.ok ? 'good' : 'bad',
    ),
    '</div>',
    '<h2>Phases</h2>',
    table(['Phase', 'State', 'Started', 'Completed'], phases, 'No phase has run.'),
    '<h2>Decision deadlines</h2>',
    table(['Decision', 'Deadline', 'At', 'Time left'], deadlines, 'No decision has a deadline.'),
    '<h2>Response metrics</h2>',
    renderBlocks(metricBlocks(f)),
    '<h2>Next steps</h2>',
    `<ol>${f.nextSteps.map((s) => `<li>${esc(s)}</li>`).join('')}</ol>`,
  ].join('\n');
}

function lineage(d: CaseData): string {
  return `<h1>Credential lineage</h1>${renderBlocks([lineageOrNote(d.facts)])}<p><strong>Attributed to the attacker:</strong> ${esc(d.facts.attribution)}.</p>`;
}

function findings(d: CaseData): string {
  const f = d.facts;
  if (isUnknown(f.findingsByCategory))
    return `<h1>Findings</h1><p>${esc(factText(f.findingsByCategory))}</p>`;
  const groups = f.findingsByCategory.map(
    (c) =>
      `<h2>${esc(c.category)} (${c.findings.length}, worst ${esc(c.severity)})</h2>` +
      table(
        ['Severity', 'Finding', 'Technique', 'First seen', 'What to do', 'Evidence events'],
        c.findings.map((x) => [
          esc(x.severity),
          esc(x.title),
          esc(x.technique),
          esc(utc(x.firstSeen)),
          esc(x.summary),
          x.eventIds
            .slice(0, 20)
            .map((id) => `<button type="button" data-event="${esc(id)}">${esc(id.slice(0, 13))}</button>`)
            .join(' '),
        ]),
        '',
      ),
  );
  return [
    '<h1>Findings by tactic</h1>',
    ...(groups.length
      ? groups
      : ['<p class="empty">The investigation produced no finding on this credential.</p>']),
    '<h2>Raw event</h2>',
    '<pre id="raw-event" tabindex="0" aria-live="polite">Choose an evidence event to see it.</pre>',
  ].join('\n');
}

function backdoors(d: CaseData): string {
  const s = d.scope;
  if (s === undefined) return '<h1>Backdoors and reach</h1><p>Scope has not run (tourniquet scope).</p>';
  if (typeof s === 'string') return `<h1>Backdoors and reach</h1><p>${esc(s)}</p>`;
  const by = (origin: string) => s.persistence.filter((p) => p.attribution === origin);
  const section = (title: string, origin: string) =>
    `<h2>${esc(title)} (${by(origin).length})</h2>` +
    table(
      ['Risk', 'Kind', 'Name', 'Region', 'Admits', 'Why', 'Remediation'],
      by(origin).map((p) => [
        esc(p.risk),
        esc(p.kind),
        `<code>${esc(p.name)}</code>`,
        esc(p.region),
        esc((p.admits ?? []).join(', ')),
        esc(p.why),
        esc(p.remediation),
      ]),
      'None.',
    );
  const o = s.summary.byOrigin as Record<string, number>;
  return [
    '<h1>Backdoors and reach</h1>',
    `<p>Account ${esc(s.account)}, read ${esc(utc(s.generatedAt))}: ${s.summary.resources} resources (${Object.entries(
      o,
    )
      .map(([k, n]) => `${n} ${esc(k)}`)
      .join(', ')}); ${s.summary.notChecked} read(s) could not be made.</p>`,
    section('Left by the attacker', 'attacker'),
    section('Of unknown origin: review', 'unknown'),
    section('Pre-existing: review', 'pre-existing'),
    s.blastRadius === undefined ? '<p class="muted">Blast radius: not computed yet.</p>' : '',
  ].join('\n');
}

function journal(d: CaseData): string {
  const rows = d.journal.map((e) => [
    String(e.seq),
    esc(utc(e.at)),
    esc(e.kind),
    esc(e.actor),
    `<details><summary>data</summary><pre tabindex="0">${esc(JSON.stringify(e.data, null, 2))}</pre></details>`,
  ]);
  const problems = d.integrity.problems.map((p) => `<li>${esc(JSON.stringify(p))}</li>`).join('');
  return [
    '<h1>Journal</h1>',
    d.integrity.ok
      ? `<p class="good">Verified: the hash chain of ${d.integrity.journalLines} lines and ${d.integrity.evidenceFiles} evidence files match.</p>`
      : `<p class="bad">Verification found problems:</p><ul>${problems}</ul>`,
    table(['#', 'At', 'What', 'Who', 'Data'], rows.reverse(), 'The journal is empty.'),
  ].join('\n');
}

const COMMS = [
  ['status', 'Status update'],
  ['dev', 'Notice to the developers'],
  ['executive', 'Executive briefing'],
  ['aws-support', 'AWS Support case'],
] as const;

function comms(d: CaseData): string {
  return [
    '<h1>Communications</h1>',
    ...COMMS.map(
      ([kind, title]) =>
        `<h2>${esc(title)}</h2><p><button type="button" data-copy="text-${kind}">Copy the text</button></p><pre id="text-${kind}" tabindex="0">${esc(renderReport(d.facts, kind, 'md'))}</pre>`,
    ),
  ].join('\n');
}

function decisions(d: CaseData): string {
  return `<h1>Decisions</h1>${renderBlocks(decisionBlocks(d.facts))}`;
}

/** The case's pages, in navigation order. */
export const CASE_PAGES: CasePage[] = [
  { path: '', name: 'Overview', render: overview },
  { path: 'timeline', name: 'Timeline', render: timelinePage },
  { path: 'lineage', name: 'Lineage', render: lineage },
  { path: 'findings', name: 'Findings', render: findings },
  { path: 'scope', name: 'Backdoors and reach', render: backdoors },
  { path: 'eradication', name: 'Eradication', render: eradicationPage },
  { path: 'decisions', name: 'Decisions', render: decisions },
  { path: 'comms', name: 'Communications', render: comms },
  { path: 'journal', name: 'Journal', render: journal },
];
