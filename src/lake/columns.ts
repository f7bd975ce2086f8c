import { subjectWhere, trinoName, trinoString } from '../athena/sql.js';
import { ATHENA_COLUMNS, type AthenaColumn } from '../store/schema.js';
import type { RecordFilter } from '../trail/sql.js';

/**
 * How a value comes back from Lake and goes into the event store:
 * - `text`: a string column as it is;
 * - `time`: a Lake timestamp, formatted in the query as CloudTrail's ISO text;
 * - `bool`: a Lake boolean as `'true'`/`'false'` (the store keeps Athena's text);
 * - `json`: a row, array or map cast to JSON text in the query, parsed back here;
 * - `document`: a `map<string,string>` (requestParameters and the other JSON documents): cast to
 *   JSON text, then rebuilt into the document (see `rebuildDocument`).
 */
type Kind = 'text' | 'time' | 'bool' | 'json' | 'document';

/** One value the query selects: its Lake expression and where it goes in the store's row. */
interface Selected {
  /** Dotted path in the store's columns (`useridentity.sessioncontext.attributes.creationdate`). */
  path: string;
  kind: Kind;
}

const identity = (path: string, kind: Kind = 'text'): Selected => ({ path: `useridentity.${path}`, kind });

/**
 * What the hunt selects, in the store's column order. The identity is selected field by field:
 * Lake's `creationdate` is a timestamp, which Trino does not cast to JSON. Lake columns the store
 * has no place for (managementevent, annotation, insightdetails, eventjson, and the identity's
 * sourceidentity, ec2issuedinvpc, inscopeof, identityprovider) are not selected.
 */
const SELECTED: Selected[] = ATHENA_COLUMNS.flatMap((c): Selected[] => {
  switch (c) {
    case 'useridentity':
      return [
        ...['type', 'principalid', 'arn', 'accountid', 'invokedby', 'accesskeyid', 'username'].map((f) =>
          identity(f),
        ),
        identity('onbehalfof', 'json'),
        identity('sessioncontext.attributes.mfaauthenticated'),
        identity('sessioncontext.attributes.creationdate', 'time'),
        identity('sessioncontext.sessionissuer', 'json'),
        identity('sessioncontext.ec2roledelivery'),
        identity('sessioncontext.webidfederationdata', 'json'),
      ];
    case 'eventtime':
      return [{ path: c, kind: 'time' }];
    case 'readonly':
      return [{ path: c, kind: 'bool' }];
    case 'resources':
    case 'tlsdetails':
    case 'addendum':
      return [{ path: c, kind: c === 'addendum' ? 'document' : 'json' }];
    case 'requestparameters':
    case 'responseelements':
    case 'additionaleventdata':
    case 'serviceeventdetails':
    case 'edgedevicedetails':
      return [{ path: c, kind: 'document' }];
    default:
      return [{ path: c, kind: 'text' }];
  }
});

/** The result column of a selected path (`useridentity__sessioncontext__ec2roledelivery`). */
function alias(path: string): string {
  return path.replace(/\./g, '__');
}

function expression(s: Selected): string {
  switch (s.kind) {
    case 'time':
      return `date_format(${s.path}, '%Y-%m-%dT%H:%i:%sZ')`;
    case 'bool':
      return `CAST(${s.path} AS varchar)`;
    case 'json':
    case 'document':
      return `json_format(CAST(${s.path} AS JSON))`;
    default:
      return s.path;
  }
}

/** A Lake timestamp literal of an ISO time (`TIMESTAMP '2026-02-02 08:00:00.000'`, UTC). */
function lakeTimestamp(iso: string): string {
  return `TIMESTAMP ${trinoString(new Date(iso).toISOString().replace('T', ' ').replace('Z', ''))}`;
}

/**
 * The hunt's query over one event data store in Lake's schema: the records the local loader
 * keeps for the same filter (`src/trail/sql.ts` filterSql; eventtime is a timestamp in Lake).
 */
export function lakeHuntQuery(storeId: string, filter: RecordFilter): string {
  const where = subjectWhere(filter);
  if (filter.since) where.push(`eventtime >= ${lakeTimestamp(filter.since)}`);
  if (filter.until) where.push(`eventtime < ${lakeTimestamp(filter.until)}`);
  return [
    `SELECT ${SELECTED.map((s) => `${expression(s)} AS ${alias(s.path)}`).join(',\n  ')}`,
    `FROM ${trinoName(storeId)}`,
    ...(where.length > 0 ? [`WHERE ${where.join('\n  AND ')}`] : []),
  ].join('\n');
}

/**
 * A `map<string,string>` JSON document rebuilt: a value that is JSON text of an object or array
 * (how a nested value is kept in Lake's maps) is parsed back, every other value stays text.
 * Not exact: numbers and booleans come back as text (`"5"`, `"true"`), a text value that itself
 * holds a JSON object or array (a policy document in `policyDocument`) comes back parsed, and
 * the keys keep the map's order, which need not be the record's.
 */
export function rebuildDocument(mapJson: string): Record<string, unknown> {
  const map = JSON.parse(mapJson) as Record<string, string | null>;
  return Object.fromEntries(
    Object.entries(map).map(([k, v]) => {
      if (typeof v === 'string' && /^\s*[[{]/.test(v)) {
        try {
          return [k, JSON.parse(v) as unknown];
        } catch {
          // Text that only looks like JSON stays text.
        }
      }
      return [k, v];
    }),
  );
}

/** The addendum map's keys (the record's camelCase) as the store's struct fields. */
function lowerKeys(doc: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(doc).map(([k, v]) => [k.toLowerCase(), v]));
}

function value(s: Selected, text: string | undefined): unknown {
  if (text === undefined) return null;
  switch (s.kind) {
    case 'json': {
      const parsed = JSON.parse(text) as unknown;
      // Lake's resources carry `arnprefix`, which the store's struct has no field for.
      return s.path === 'resources' && Array.isArray(parsed)
        ? parsed.map((r: Record<string, unknown>) => ({ arn: r.arn, accountid: r.accountid, type: r.type }))
        : parsed;
    }
    case 'document':
      return s.path === 'addendum' ? lowerKeys(rebuildDocument(text)) : JSON.stringify(rebuildDocument(text));
    default:
      return text;
  }
}

/** Set a value at a dotted path; a null is left unset, so a struct all of whose fields are null stays null. */
function setPath(target: Record<string, unknown>, path: string, v: unknown): void {
  if (v === null) return;
  const parts = path.split('.');
  let at = target;
  for (const p of parts.slice(0, -1)) at = (at[p] ??= {}) as Record<string, unknown>;
  at[parts[parts.length - 1]!] = v;
}

/**
 * One Lake result row (`[{column: value}, …]`, a NULL left out) as a row of the store's columns
 * (structs and arrays as JSON text, as `loadPage` takes them). What cannot come back exactly:
 * the documents (see `rebuildDocument`); `eventtime` and `creationDate` in CloudTrail's
 * `yyyy-MM-ddTHH:mm:ssZ` form whatever form the record had; a struct present with only empty
 * fields (`"sessionContext": {}`) comes back null, and an empty `resources` list as none.
 */
export function storeRow(cells: Record<string, string>[]): {
  columns: AthenaColumn[];
  values: (string | null)[];
} {
  const byName = Object.assign({}, ...cells) as Record<string, string>;
  const row: Record<string, unknown> = {};
  for (const s of SELECTED) setPath(row, s.path, value(s, byName[alias(s.path)]));
  return {
    columns: [...ATHENA_COLUMNS],
    values: ATHENA_COLUMNS.map((c) => {
      const v = row[c];
      if (v === null || v === undefined) return null;
      return typeof v === 'string' ? v : JSON.stringify(v);
    }),
  };
}
