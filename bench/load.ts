/** Benchmark child: load every record of a folder into a new case store; print the ingest report. */
import { LOAD_MEMORY_LIMIT, openEventStore } from '../src/store/store.js';
import { ingestPaths } from '../src/trail/ingest.js';

const [file, ...paths] = process.argv.slice(2);
const store = await openEventStore(file!, { memoryLimit: LOAD_MEMORY_LIMIT });
try {
  const report = await ingestPaths(store, paths);
  console.log(
    JSON.stringify({
      ...report,
      perFile: report.perFile.size,
      badRecordDetails: report.badRecordDetails.length,
    }),
  );
} finally {
  store.close();
}
