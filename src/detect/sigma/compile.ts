import { parseAllDocuments } from 'yaml';
import { TACTICS, tacticFor, type Tactic } from '../attack.js';
import type { Category, Severity } from '../finding.js';
import { and, behindRequiredText, lit, or, withGate } from '../sql.js';
import type { DetectionRule } from '../rules/types.js';
import { parseCondition, UnsupportedCondition, type ConditionNode } from './condition.js';
import { resolveField } from './fields.js';

/** The result of compiling one Sigma file: a rule, or the reason it cannot be one. */
export type SigmaCompileResult =
  { ok: true; rule: DetectionRule; title: string } | { ok: false; title: string; reason: string };

/** Thrown inside the compiler for an unsupported construct; the message is the reason reported. */
class Unsupported extends Error {}

const SUPPORTED_MODIFIERS = new Set([
  'contains',
  'startswith',
  'endswith',
  're',
  'all',
  'fieldref',
  'cased',
  'exists',
  'i',
]);

const LEVELS: Record<string, Severity> = {
  informational: 'info',
  low: 'low',
  medium: 'medium',
  high: 'high',
  critical: 'critical',
};

// ATT&CK tactic tags to the report's categories (collection → data-access, discovery → recon,
// stealth is ATT&CK v17's name for defense evasion).
const CATEGORY_OF_TACTIC: Record<string, Category> = {
  'initial-access': 'initial-access',
  initial_access: 'initial-access',
  execution: 'execution',
  persistence: 'persistence',
  'privilege-escalation': 'privilege-escalation',
  privilege_escalation: 'privilege-escalation',
  'defense-evasion': 'defense-evasion',
  defense_evasion: 'defense-evasion',
  stealth: 'defense-evasion',
  'defense-impairment': 'defense-evasion',
  'credential-access': 'credential-access',
  credential_access: 'credential-access',
  discovery: 'recon',
  reconnaissance: 'recon',
  'lateral-movement': 'lateral-movement',
  lateral_movement: 'lateral-movement',
  collection: 'data-access',
  exfiltration: 'exfiltration',
  impact: 'impact',
  'resource-development': 'resource-creation',
};

/** Compile one SigmaHQ YAML document (logsource aws/cloudtrail) to a rule in the portable SQL. */
export function compileSigma(text: string, file: string): SigmaCompileResult {
  let title = file;
  try {
    const docs = parseAllDocuments(text);
    if (!Array.isArray(docs) || docs.length !== 1) {
      throw new Unsupported('multi-document rule collections are not supported');
    }
    const doc = docs[0]!;
    if (doc.errors.length > 0) throw new Unsupported(`YAML error: ${doc.errors[0]!.message.split('\n')[0]}`);
    const rule = doc.toJS() as unknown;
    if (!isRecord(rule)) throw new Unsupported('not a YAML mapping');
    if (typeof rule.title === 'string') title = rule.title;
    const logsource = isRecord(rule.logsource) ? rule.logsource : {};
    if (
      String(logsource.product).toLowerCase() !== 'aws' ||
      String(logsource.service).toLowerCase() !== 'cloudtrail'
    ) {
      throw new Unsupported('logsource is not product aws, service cloudtrail');
    }
    if (!isRecord(rule.detection)) throw new Unsupported('no detection section');
    const { condition, timeframe, ...searches } = rule.detection;
    if (timeframe !== undefined) throw new Unsupported('timeframe (correlation over time) is not supported');
    const conditions = Array.isArray(condition) ? condition : [condition];
    if (conditions.length === 0 || conditions.some((c) => typeof c !== 'string')) {
      throw new Unsupported('condition must be a string or a list of strings');
    }
    const compiled = new Map<string, string>();
    for (const [name, search] of Object.entries(searches)) compiled.set(name, compileSearch(name, search));
    const where = orAll(conditions.map((c) => conditionSql(parseCondition(c as string), compiled)));
    const tags = Array.isArray(rule.tags) ? rule.tags.map(String) : [];
    const base = file.replace(/^.*\//, '').replace(/\.ya?ml$/, '');
    const description =
      typeof rule.description === 'string' ? rule.description.trim().split('\n')[0]! : title;
    const category = categoryOf(tags);
    const technique = techniqueOf(tags);
    return {
      ok: true,
      title,
      rule: {
        id: `sigma:${base}`,
        title,
        category,
        technique,
        tactic: tacticOf(tags) ?? tacticFor(technique, category),
        severity: LEVELS[String(rule.level).toLowerCase()] ?? 'medium',
        where,
        explain: description,
        remediation: remediationOf(rule.falsepositives),
        source: {
          kind: 'sigma',
          file: base,
          sigmaId: typeof rule.id === 'string' ? rule.id : null,
          author: typeof rule.author === 'string' ? rule.author : null,
          license: 'Detection Rule License 1.1',
        },
      },
    };
  } catch (error) {
    if (error instanceof Unsupported || error instanceof UnsupportedCondition) {
      return { ok: false, title, reason: error.message };
    }
    throw error;
  }
}

/** A search identifier: a map (all fields must match) or a list of maps (any may match). */
function compileSearch(name: string, search: unknown): string {
  if (Array.isArray(search)) {
    if (search.every(isRecord)) return orAll(search.map((item) => compileMap(name, item)));
    throw new Unsupported(`search "${name}" is a keyword list (full-text search has no CloudTrail field)`);
  }
  if (isRecord(search)) return compileMap(name, search);
  throw new Unsupported(`search "${name}" is neither a map nor a list of maps`);
}

function compileMap(name: string, map: Record<string, unknown>): string {
  const parts = Object.entries(map).map(([key, value]) => compileField(name, key, value));
  if (parts.length === 0) return 'true';
  return withGate(andAll(parts), gateOfMap(map));
}

/**
 * The API a selection requires when it names the event source (and event names) exactly, without
 * modifiers or wildcards: then the engine skips the rule on stores without that API.
 */
function gateOfMap(map: Record<string, unknown>): { source: string; names: string[] }[] | undefined {
  const exact = (value: unknown): string[] | null => {
    const list = Array.isArray(value) ? value : [value];
    return list.every((v) => typeof v === 'string' && !/[*?\\]/.test(v)) ? (list as string[]) : null;
  };
  const sources = 'eventSource' in map ? exact(map.eventSource) : null;
  if (!sources) return undefined;
  const names = 'eventName' in map ? (exact(map.eventName) ?? []) : [];
  return sources.map((source) => ({ source: source.toLowerCase(), names }));
}

function compileField(name: string, key: string, value: unknown): string {
  const [fieldName, ...modifiers] = key.split('|');
  for (const modifier of modifiers) {
    if (!SUPPORTED_MODIFIERS.has(modifier))
      throw new Unsupported(`modifier "${modifier}" (in ${name}: ${key})`);
  }
  const field = resolveField(fieldName!);
  if (!field.ok) throw new Unsupported(field.reason);
  const has = (m: string): boolean => modifiers.includes(m);
  const values = Array.isArray(value) ? value : [value];
  if (has('exists')) return `(${field.sql} IS ${value === false ? '' : 'NOT '}NULL)`;
  const leaves = values.map((v) => {
    if (v === null) return `(${field.sql} IS NULL)`;
    if (typeof v === 'object') throw new Unsupported(`value of ${key} in ${name} is a nested structure`);
    const text = String(v as string | number | boolean);
    if (has('fieldref')) {
      const other = resolveField(text);
      if (!other.ok) throw new Unsupported(other.reason);
      return `coalesce(${field.sql} = ${other.sql}, false)`;
    }
    if (has('re')) return regexLeaf(field.sql, text, has('i'));
    return globLeaf(field, text, {
      contains: has('contains'),
      startswith: has('startswith'),
      endswith: has('endswith'),
      cased: has('cased'),
    });
  });
  return has('all') ? andAll(leaves) : orAll(leaves);
}

function regexLeaf(sql: string, pattern: string, insensitive: boolean): string {
  if (/\(\?<?[=!]/.test(pattern))
    throw new Unsupported('regular expression uses lookaround (not in the portable RE2 subset)');
  if (/\\[1-9]/.test(pattern))
    throw new Unsupported('regular expression uses a back-reference (not in the portable RE2 subset)');
  const test = `coalesce(regexp_like(${sql}, ${lit((insensitive ? '(?i)' : '') + pattern)}), false)`;
  // A substring search first where every match holds some text (see `matches`). Not for (?i):
  // case folding reaches beyond ASCII (the Kelvin sign matches k), which lower() does not mirror.
  return insensitive ? test : behindRequiredText(sql, pattern, test);
}

/**
 * Sigma string matching: case-insensitive unless `cased`; `*` and `?` are wildcards (escaped
 * with a backslash); contains/startswith/endswith add the implied `*`.
 */
function globLeaf(
  field: { sql: string; isEventName: boolean },
  value: string,
  how: { contains: boolean; startswith: boolean; endswith: boolean; cased: boolean },
): string {
  const glob = `${how.contains || how.endswith ? '*' : ''}${value}${how.contains || how.startswith ? '*' : ''}`;
  const { like, wildcard } = globToLike(glob);
  const fold = (sql: string): string => (how.cased ? sql : `lower(${sql})`);
  const exact = how.cased ? unescapeGlob(value) : unescapeGlob(value).toLowerCase();
  let test: string;
  if (wildcard) test = `${fold(field.sql)} LIKE ${lit(how.cased ? like : like.toLowerCase())} ESCAPE '\\'`;
  // Event names also match with an API-version suffix (UpdateFunctionCode20150331v2).
  else if (field.isEventName)
    test = `(${fold(field.sql)} = ${lit(exact)} OR ${fold(field.sql)} LIKE ${lit(`${exact.replace(/[%_\\]/g, '\\$&')}20%`)} ESCAPE '\\')`;
  else test = `${fold(field.sql)} = ${lit(exact)}`;
  return `coalesce(${test}, false)`;
}

/** Translate a Sigma glob to a LIKE pattern (escape char `\`); says whether it has wildcards. */
function globToLike(glob: string): { like: string; wildcard: boolean } {
  let like = '';
  let wildcard = false;
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === '\\' && (glob[i + 1] === '*' || glob[i + 1] === '?' || glob[i + 1] === '\\')) {
      like += glob[i + 1] === '\\' ? '\\\\' : glob[i + 1];
      i++;
    } else if (ch === '*') {
      like += '%';
      wildcard = true;
    } else if (ch === '?') {
      like += '_';
      wildcard = true;
    } else if (ch === '%' || ch === '_') {
      like += `\\${ch}`;
    } else {
      like += ch;
    }
  }
  return { like, wildcard };
}

function unescapeGlob(value: string): string {
  return value.replace(/\\([*?\\])/g, '$1');
}

function conditionSql(node: ConditionNode, searches: Map<string, string>): string {
  switch (node.kind) {
    case 'id': {
      const sql = searches.get(node.name);
      if (sql === undefined) throw new Unsupported(`condition names unknown search "${node.name}"`);
      return sql;
    }
    case 'not':
      return `NOT (${conditionSql(node.node, searches)})`;
    case 'and':
      return andAll(node.nodes.map((n) => conditionSql(n, searches)));
    case 'or':
      return orAll(node.nodes.map((n) => conditionSql(n, searches)));
    case 'of': {
      const names = [...searches.keys()].filter((n) => matchesPattern(n, node.pattern));
      if (names.length === 0) throw new Unsupported(`"${node.pattern}" matches no search identifier`);
      const parts = names.map((n) => searches.get(n)!);
      return node.quantifier === 'all' ? andAll(parts) : orAll(parts);
    }
  }
}

function matchesPattern(name: string, pattern: string): boolean {
  if (pattern === 'them') return !name.startsWith('_');
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
  return re.test(name);
}

function categoryOf(tags: string[]): Category {
  for (const tag of tags) {
    const tactic = /^attack\.([a-z_-]+)$/i.exec(tag)?.[1]?.toLowerCase();
    if (tactic && CATEGORY_OF_TACTIC[tactic]) return CATEGORY_OF_TACTIC[tactic];
  }
  return 'defense-evasion';
}

/** ATT&CK v18 names for defense evasion's halves, read as the v17 tactic (see ../attack.ts). */
const TACTIC_ALIASES: Record<string, Tactic> = {
  stealth: 'defense-evasion',
  'defense-impairment': 'defense-evasion',
};

function tacticOf(tags: string[]): Tactic | null {
  for (const tag of tags) {
    const name = /^attack\.([a-z_-]+)$/i.exec(tag)?.[1]?.toLowerCase().replace(/_/g, '-');
    if (!name) continue;
    if ((TACTICS as readonly string[]).includes(name)) return name as Tactic;
    if (TACTIC_ALIASES[name]) return TACTIC_ALIASES[name];
  }
  return null;
}

/** Sigma rules name their false positives, not a response: weigh those before acting. */
function remediationOf(falsepositives: unknown): string {
  const known = (Array.isArray(falsepositives) ? falsepositives : [])
    .map((f) => String(f).trim().replace(/\.$/, ''))
    .filter((f) => f !== '' && f.toLowerCase() !== 'unknown');
  return known.length
    ? `Rule out the known false positives (${known.join('; ')}), then treat the events as the attacker's.`
    : "Confirm with the principal's owner, else treat the events as the attacker's.";
}

function techniqueOf(tags: string[]): string {
  for (const tag of tags) {
    const id = /^attack\.(t\d{4}(?:\.\d{3})?)$/i.exec(tag)?.[1];
    if (id) return id.toUpperCase();
  }
  return '';
}

// The catalogue's and/or: nested CASE for AND (evaluated only where the first test holds), and
// the API gates of sql.ts passed through (see `gateOf`).
function andAll(parts: string[]): string {
  return and(...parts);
}

function orAll(parts: string[]): string {
  return or(...parts);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
