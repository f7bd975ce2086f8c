import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEventStore, type EventStore } from '../../store/store.js';
import { ingestPaths } from '../../trail/ingest.js';

/** A case store holding some CloudTrail records, in a temporary folder `remove()` deletes. */
export interface RecordStore {
  store: EventStore;
  remove: () => void;
}

/**
 * Write `records` as one trail file in a new temporary folder (`tq-<name>-…`) and ingest it into
 * a case store there, as `collect` would.
 */
export async function storeOf(records: Record<string, unknown>[], name: string): Promise<RecordStore> {
  const dir = mkdtempSync(join(tmpdir(), `tq-${name}-`));
  const store = await openEventStore(join(dir, 'events.duckdb'));
  const remove = (): void => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    writeFileSync(join(dir, 'trail.json'), JSON.stringify({ Records: records }));
    await ingestPaths(store, [join(dir, 'trail.json')]);
  } catch (error) {
    remove();
    throw error;
  }
  return { store, remove };
}
