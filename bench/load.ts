/** Benchmark child: load every record of a folder into a new case store; print the ingest report. */
import { openEventStore } from '../src/store/store.js';
import { ingestPaths } from '../src/trail/ingest.js';

const [file, ...paths] = process.argv.slice(2);
const store = await openEventStore(file!, { memoryLimit: '1GB' });
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
