/**
 * Assemble the WebAssembly text files of src/ into TypeScript modules holding their bytes
 * (`tsx scripts/build-wasm.ts`; `--check` exits 1 if a module is out of date). The bytes ship as
 * a base64 string so that `tsc` alone builds the package and no file is read at run time.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { wasmModuleSource, WASM_SOURCES } from './wasm-module.js';

let stale = 0;
for (const { wat, module } of WASM_SOURCES) {
  const source = await wasmModuleSource(readFileSync(wat, 'utf8'), wat);
  const current = (() => {
    try {
      return readFileSync(module, 'utf8');
    } catch {
      return null;
    }
  })();
  if (current === source) continue;
  if (process.argv.includes('--check')) {
    console.error(`${module} is not built from ${wat}: run npx tsx scripts/build-wasm.ts`);
    stale++;
  } else {
    writeFileSync(module, source);
    console.log(`wrote ${module}`);
  }
}
process.exitCode = stale ? 1 : 0;
