import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { JOURNAL_FILE, readCaseFile } from '../case/case.js';
import { readJournal, type JournalEntry } from '../case/journal.js';
import { openEventStore, STORE_FILE } from '../store/store.js';
import { messageOf } from '../errors.js';
import {
  readCostExplorer,
  readSesStatistics,
  readCoverage,
  readInvestigation,
  readLineage,
  readTriage,
  type Investigation,
} from './case-inputs.js';
import type { Severity } from '../detect/finding.js';
import { compromiseCondition } from '../detect/investigate.js';
import { factsFromInput, type Facts, type FactsOptions } from './facts.js';
import type { AttackerEvent, FactsInput, InstanceChange } from './input.js';
import { readScopeFacts } from './scope-facts.js';
import { parseJsonText, stringsAt } from './json-path.js';
import { loadPriceTable, type PriceTable } from './prices.js';
import {
  readAttackerEvents,
  readInstanceChanges,
  type EventQuery,
  type EventSelection,
} from './store-inputs.js';
import { isUnknown, unknown, type Fact, type Unknown } from './unknown.js';

export interface BuildOptions extends FactsOptions {
  /** When the report is made (running instances are counted up to here). */
  asOf: Date;
  /** Another price table (default: the bundled one). */
  prices?: PriceTable;
  /**
   * The case's event store when the caller already holds it open (DuckDB refuses a second,
   * read-only open of a file this process has open for writing); default: open `case.duckdb`.
   */
  store?: EventQuery;
}

// The investigation counts medium-or-worse findings as the attacker's when it has no lineage.
const SUSPICIOUS: Severity[] = ['medium', 'high', 'critical'];

/**
 * Which events to report as the attacker's, most precise first: the investigation's attribution
 * (lineage keys and console sign-ins inside the incident window); else the events of its
 * medium-or-worse findings; else, before any investigation, every call signed by the subject key
 * (the owner's and the attacker's alike, and the report says so).
 */
function selectionFor(
  investigation: Fact<Investigation>,
  subjectKey: string | undefined,
): { selection: EventSelection | null; attribution: string } | Unknown {
  if (!isUnknown(investigation)) {
    const { lineage, window, findings, attribution } = investigation;
    if (lineage) {
      const condition = compromiseCondition({ lineage, window, attribution });
      if (!window || !condition)
        return { selection: null, attribution: 'the investigation found nothing suspicious on the lineage' };
      const owner =
        attribution && attribution.ownerCalls > 0
          ? `, except ${attribution.ownerCalls} call(s) from the owner's earlier addresses (${attribution.ownerAddresses.join(', ')})`
          : '';
      return {
        selection: { condition },
        attribution: `calls of the ${lineage.keys.length} credential(s) in the lineage between ${window.since} and ${window.until} (the investigation's incident window)${owner}`,
      };
    }
    return {
      selection: {
        eventIds: findings.filter((f) => SUSPICIOUS.includes(f.severity)).flatMap((f) => f.eventIds),
      },
      attribution: 'events of the medium-or-worse findings (the investigation traced no lineage)',
    };
  }
  if (subjectKey) {
    return {
      selection: { accessKeyIds: [subjectKey] },
      attribution: `every call signed by ${subjectKey}; the investigation has not separated the owner's calls from the attacker's`,
    };
  }
  return unknown('the investigation has not run and the subject has no access key id');
}

/** Read every input the report uses from a case folder; what is missing becomes unknown. */
export async function readFactsInput(caseDir: string, options: BuildOptions): Promise<FactsInput> {
  const info = readCaseFile(caseDir);
  const journal: JournalEntry[] = readJournal(join(caseDir, JOURNAL_FILE)).map(
    (line) => JSON.parse(line) as JournalEntry,
  );
  const investigation = readInvestigation(caseDir);
  const lineage = readLineage(investigation);
  const selection = selectionFor(investigation, info.subject?.accessKeyId);
  const fromStore = await readStore(join(caseDir, STORE_FILE), selection, options.store);
  return {
    case: info,
    journal,
    findings: isUnknown(investigation) ? investigation : investigation.findings,
    events: fromStore.events,
    attribution: isUnknown(selection) ? selection.unknown : selection.attribution,
    lineage,
    coverage: readCoverage(caseDir),
    instanceChanges: fromStore.changes,
    costExplorer: readCostExplorer(caseDir),
    sesStatistics: readSesStatistics(caseDir),
    triage: readTriage(journal, caseDir),
    scope: readScopeFacts(caseDir),
    prices: options.prices ?? loadPriceTable(),
    asOf: options.asOf,
  };
}

async function readStore(
  file: string,
  selection: ReturnType<typeof selectionFor>,
  given: EventQuery | undefined,
): Promise<{ events: Fact<AttackerEvent[]>; changes: Fact<InstanceChange[]> }> {
  if (!given && !existsSync(file)) {
    const none = unknown('no events collected (the case has no event store; run tourniquet collect)');
    return { events: none, changes: none };
  }
  if (isUnknown(selection)) return { events: selection, changes: selection };
  let opened: Awaited<ReturnType<typeof openEventStore>> | undefined;
  try {
    const store = given ?? (opened = await openEventStore(file, { readOnly: true }));
    const events = selection.selection ? await readAttackerEvents(store, selection.selection) : [];
    const launched = events.flatMap((e) =>
      e.eventName === 'RunInstances'
        ? stringsAt(parseJsonText(e.responseElements), 'instancesSet.items[].instanceId')
        : [],
    );
    return { events, changes: await readInstanceChanges(store, launched) };
  } catch (error) {
    const reason = unknown(`the event store ${file} could not be read: ${messageOf(error)}`);
    return { events: reason, changes: reason };
  } finally {
    opened?.close();
  }
}

/** The facts model of a case folder: reads what exists, writes `unknown (reason)` for the rest. */
export async function buildFacts(caseDir: string, options: BuildOptions): Promise<Facts> {
  return factsFromInput(await readFactsInput(caseDir, options), options);
}
