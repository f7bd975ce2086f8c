import type { SimState } from '../../state.js';
import type { GlueTable } from '../glue/index.js';
import { bucketIfExists } from '../s3/buckets.js';
import { simWorld } from '../s3/store.js';

/** One object a table reads, with the partition values its key gives. */
export interface TableFile {
  bucket: string;
  key: string;
  size: number;
  body: Buffer;
  partition: Record<string, string>;
}

/** `s3://bucket/prefix` → bucket and prefix. */
export function splitS3Url(url: string): { bucket: string; prefix: string } | undefined {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  return m ? { bucket: m[1]!, prefix: m[2]! } : undefined;
}

const DATE_TOKENS: [RegExp, string][] = [
  [/yyyy/g, '\\d{4}'],
  [/MM/g, '\\d{2}'],
  [/dd/g, '\\d{2}'],
  [/HH/g, '\\d{2}'],
];

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The pattern one projected partition value has in a key (a date format's digits, else one path segment). */
function valuePattern(table: GlueTable, column: string): string {
  const p = table.Parameters;
  if (p[`projection.${column}.type`] === 'date') {
    let re = escapeRegex(p[`projection.${column}.format`] ?? 'yyyy/MM/dd');
    for (const [token, digits] of DATE_TOKENS) re = re.replace(token, digits);
    return re;
  }
  return '[^/]+';
}

/** Whether a projected value is one the table's projection allows (enum values, date range up to NOW). */
function projected(table: GlueTable, column: string, value: string, now: string): boolean {
  const p = table.Parameters;
  const type = p[`projection.${column}.type`];
  if (type === 'enum')
    return (p[`projection.${column}.values`] ?? '')
      .split(',')
      .map((v) => v.trim())
      .includes(value);
  if (type === 'date') {
    const [from = '', to = 'NOW'] = (p[`projection.${column}.range`] ?? '').split(',').map((v) => v.trim());
    const upper = to === 'NOW' ? now.slice(0, value.length).replace(/-/g, '/').replace('T', '/') : to;
    return value >= from && value <= upper;
  }
  // `injected` (and any other type) takes whatever value the query gives.
  return true;
}

/**
 * The objects a table reads. A table with partition projection reads the keys matching its
 * `storage.location.template`, each partition value within its projection (enum values, date
 * range); a table without partitions reads every object under its location. A partitioned table
 * without projection has no partitions here (the double has no ALTER TABLE ADD PARTITION), so it
 * reads nothing, as Athena would before partitions are loaded. Hidden files (`_`, `.`) are skipped
 * as Hive does.
 */
export function tableFiles(sim: SimState, table: GlueTable): TableFile[] {
  const location = splitS3Url(table.StorageDescriptor.Location ?? '');
  if (!location) return [];
  const bucket = bucketIfExists(simWorld(sim), location.bucket);
  if (!bucket) return [];
  const keys = table.PartitionKeys.map((k) => k.Name);
  let pattern: RegExp;
  if (keys.length === 0) {
    pattern = new RegExp(`^${escapeRegex(location.prefix)}(?:.*/)?[^/]+$`);
  } else if (table.Parameters['projection.enabled'] === 'true') {
    const template = splitS3Url(
      table.Parameters['storage.location.template'] ?? table.StorageDescriptor.Location ?? '',
    );
    if (!template || template.bucket !== location.bucket) return [];
    let re = escapeRegex(template.prefix.replace(/\/$/, ''));
    for (const k of keys)
      re = re.replace(escapeRegex(`\${${k}}`), `(?<${k.replace(/\W/g, '_')}>${valuePattern(table, k)})`);
    pattern = new RegExp(`^${re}/[^/]+$`);
  } else {
    return [];
  }
  const now = sim.nowIso();
  const files: TableFile[] = [];
  for (const object of Object.values(bucket.objects).sort((a, b) => (a.key < b.key ? -1 : 1))) {
    const m = pattern.exec(object.key);
    if (!m) continue;
    const name = object.key.slice(object.key.lastIndexOf('/') + 1);
    if (name.startsWith('_') || name.startsWith('.')) continue;
    const partition = Object.fromEntries(keys.map((k) => [k, m.groups?.[k.replace(/\W/g, '_')] ?? '']));
    if (!keys.every((k) => projected(table, k, partition[k]!, now))) continue;
    files.push({
      bucket: location.bucket,
      key: object.key,
      size: object.size,
      body: Buffer.from(object.body, 'base64'),
      partition,
    });
  }
  return files;
}

/** A partition-column condition found in a query: `col = 'v'`, `col IN (…)`, `col BETWEEN`, `col < 'v'`. */
type Condition = (value: string) => boolean;

function unquote(list: string): string[] {
  return [...list.matchAll(/'((?:[^']|'')*)'/g)].map((m) => m[1]!.replace(/''/g, "'"));
}

/**
 * The comparisons of a partition column with string literals in a query text, as predicates on
 * the column's value: Athena prunes partitions on them, so the double reads (and counts as
 * scanned) only the files of the partitions that pass them all. The double takes them as AND-ed
 * to the rest of the WHERE clause, which is how Tourniquet writes them; a partition comparison
 * inside an `OR` would prune too much here.
 */
export function partitionConditions(query: string, column: string): Condition[] {
  const col = `(?:"${escapeRegex(column)}"|\\b${escapeRegex(column)}\\b)`;
  const conditions: Condition[] = [];
  for (const m of query.matchAll(new RegExp(`${col}\\s*=\\s*'((?:[^']|'')*)'`, 'gi'))) {
    const v = m[1]!.replace(/''/g, "'");
    conditions.push((x) => x === v);
  }
  for (const m of query.matchAll(new RegExp(`${col}\\s+IN\\s*\\(([^)]*)\\)`, 'gi'))) {
    const values = unquote(m[1]!);
    conditions.push((x) => values.includes(x));
  }
  for (const m of query.matchAll(
    new RegExp(`${col}\\s+BETWEEN\\s+'((?:[^']|'')*)'\\s+AND\\s+'((?:[^']|'')*)'`, 'gi'),
  )) {
    const [lo, hi] = [m[1]!, m[2]!];
    conditions.push((x) => x >= lo && x <= hi);
  }
  for (const m of query.matchAll(new RegExp(`${col}\\s*(>=|<=|>|<)\\s*'((?:[^']|'')*)'`, 'gi'))) {
    const v = m[2]!;
    const op = m[1]!;
    conditions.push((x) => (op === '>=' ? x >= v : op === '<=' ? x <= v : op === '>' ? x > v : x < v));
  }
  return conditions;
}

/** The files a query reads of a table's: those whose partitions pass the query's partition comparisons. */
export function prunedFiles(query: string, table: GlueTable, files: TableFile[]): TableFile[] {
  const conditions = table.PartitionKeys.map((k) => ({
    key: k.Name,
    tests: partitionConditions(query, k.Name),
  }));
  return files.filter((f) => conditions.every((c) => c.tests.every((t) => t(f.partition[c.key] ?? ''))));
}
