import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { JOURNAL_FILE, readCaseFile } from '../case/case.js';
import { readJournal, type JournalEntry } from '../case/journal.js';
import { openEventStore, STORE_FILE } from '../store/store.js';
import { messageOf } from '../errors.js';
import { readCostExplorer, readCoverage, readInvestigation, readLineage, readTriage } from './case-inputs.js';
import { factsFromInput, type Facts, type FactsOptions } from './facts.js';
import type { AttackerEvent, FactsInput, InstanceChange, LineageNode } from './input.js';
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
}

function keysOf(node: LineageNode): string[] {
  const own = /^(AKIA|ASIA)[A-Z0-9]{12,}$/.test(node.credential) ? [node.credential] : [];
  return [...own, ...node.children.flatMap(keysOf)];
}

/**
 * Which events to report as the attacker's, most precise first: the investigation's
 * attributed event ids; else the events of its findings plus every call signed by a session
 * derived from the key; else every call signed by the subject key (owner and attacker alike).
 */
function selectionFor(input: {
  attributed: string[] | undefined;
  findingIds: string[];
  lineage: Fact<LineageNode>;
  subjectKey: string | undefined;
}): { selections: EventSelection[]; attribution: string } | Unknown {
  if (input.attributed)
    return {
      selections: [{ eventIds: input.attributed }],
      attribution: 'events attributed by the investigation (the key and its derived sessions)',
    };
  const derived = isUnknown(input.lineage) ? [] : keysOf(input.lineage).filter((k) => k !== input.subjectKey);
  if (input.findingIds.length || derived.length) {
    return {
      selections: [{ eventIds: input.findingIds }, { accessKeyIds: derived }],
      attribution: `events of the findings${derived.length ? ` and of ${derived.length} derived session key(s)` : ''}`,
    };
  }
  if (input.subjectKey) {
    return {
      selections: [{ accessKeyIds: [input.subjectKey] }],
      attribution: `every call signed by ${input.subjectKey}; the investigation has not separated the owner's calls from the attacker's`,
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
  const lineage = readLineage(caseDir, investigation);
  const selection = selectionFor({
    attributed: isUnknown(investigation) ? undefined : investigation.attackerEventIds,
    findingIds: isUnknown(investigation) ? [] : investigation.findings.flatMap((f) => f.eventIds),
    lineage,
    subjectKey: info.subject?.accessKeyId,
  });
  const fromStore = await readStore(join(caseDir, STORE_FILE), selection);
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
    triage: readTriage(journal),
    prices: options.prices ?? loadPriceTable(),
    asOf: options.asOf,
  };
}

async function readStore(
  file: string,
  selection: ReturnType<typeof selectionFor>,
): Promise<{ events: Fact<AttackerEvent[]>; changes: Fact<InstanceChange[]> }> {
  if (!existsSync(file)) {
    const none = unknown('no events collected (the case has no event store; run `tourniquet collect`)');
    return { events: none, changes: none };
  }
  if (isUnknown(selection)) return { events: selection, changes: selection };
  let store: Awaited<ReturnType<typeof openEventStore>> | undefined;
  try {
    store = await openEventStore(file, { readOnly: true });
    const events = await eventsFor(store, selection.selections);
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
    store?.close();
  }
}

async function eventsFor(store: EventQuery, selections: EventSelection[]): Promise<AttackerEvent[]> {
  const byId = new Map<string, AttackerEvent>();
  for (const selection of selections)
    for (const e of await readAttackerEvents(store, selection)) byId.set(e.eventId, e);
  return [...byId.values()].sort(
    (a, b) => a.time.localeCompare(b.time) || a.eventId.localeCompare(b.eventId),
  );
}

/** The facts model of a case folder: reads what exists, writes `unknown (reason)` for the rest. */
export async function buildFacts(caseDir: string, options: BuildOptions): Promise<Facts> {
  return factsFromInput(await readFactsInput(caseDir, options), options);
}
