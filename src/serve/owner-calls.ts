import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ownerCondition } from '../detect/investigate.js';
import { messageOf } from '../errors.js';
import { readInvestigation } from '../report/case-inputs.js';
import { timelineEntry, type TimelineEntry } from '../report/facts.js';
import { countEvents, readAttackerEvents } from '../report/store-inputs.js';
import { isUnknown, unknown, type Fact } from '../report/unknown.js';
import { openEventStore, STORE_FILE } from '../store/store.js';

/** The timeline shows at most this many of the owner's calls (the latest); a CI key makes thousands. */
export const OWNER_CALLS_SHOWN = 2000;

/** The owner's own calls on the timeline: the latest ones, and how many there are in all. */
export interface OwnerCalls {
  calls: TimelineEntry[];
  total: number;
}

/**
 * The subject's own routine, as the saved investigation told it apart from the attacker's calls
 * (`ownerCondition`: the lineage's calls outside the attribution), from the case's event store.
 * Unknown, with the reason, when the investigation traced no lineage or the store cannot be read.
 */
export async function readOwnerCalls(dir: string): Promise<Fact<OwnerCalls>> {
  const investigation = readInvestigation(dir);
  if (isUnknown(investigation)) return investigation;
  const condition = ownerCondition(investigation);
  if (!condition)
    return unknown('the investigation traced no lineage of the credential, so nothing tells the owner apart');
  const file = join(dir, STORE_FILE);
  if (!existsSync(file)) return unknown('no events collected (the case has no event store)');
  let store;
  try {
    store = await openEventStore(file, { readOnly: true });
  } catch (error) {
    return unknown(
      `the event store is busy (${messageOf(error).split('\n')[0]}); reload when the phase ends`,
    );
  }
  try {
    const events = await readAttackerEvents(store, { condition }, OWNER_CALLS_SHOWN);
    return { calls: events.map((e) => timelineEntry(e)), total: await countEvents(store, condition) };
  } catch (error) {
    return unknown(`the event store ${file} could not be read: ${messageOf(error)}`);
  } finally {
    store.close();
  }
}
