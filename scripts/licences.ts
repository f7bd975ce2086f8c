/**
 * The licences of the runtime dependencies (the installed production tree), and whether each is
 * one AGPL-3.0-or-later may combine with. `tsx scripts/licences.ts` prints the counts; `--list`
 * every package. Exit 1 names a package whose licence is not on the list (src/licences/).
 */
import { licenceOk, runtimeLicences } from '../src/licences/licences.js';

const byLicence = runtimeLicences(process.cwd());
let bad = 0;
let total = 0;
for (const [licence, pkgs] of [...byLicence].sort((a, b) => b[1].length - a[1].length)) {
  const fine = licenceOk(licence);
  total += pkgs.length;
  if (!fine) bad += pkgs.length;
  console.log(`${fine ? 'ok ' : 'NO '} ${licence.padEnd(28)} ${pkgs.length}`);
  if (process.argv.includes('--list') || !fine) for (const p of pkgs.sort()) console.log(`      ${p}`);
}
console.log(`${total} runtime packages; ${bad} with a licence not known to be AGPL-3.0-compatible`);
process.exitCode = bad ? 1 : 0;
