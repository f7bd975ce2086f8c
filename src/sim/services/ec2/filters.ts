import { Ec2Error } from './errors.js';
import type { Filter, Tag } from './model.js';

type FilterValue = string | number | boolean | undefined;

/** Filter name → the value(s) of a resource that the filter compares against. */
export type FilterTable<T> = Record<string, (item: T) => FilterValue | FilterValue[]>;

/**
 * EC2 filter values accept `*` (any run of characters) and `?` (one character); a backslash
 * escapes them (EC2 API reference, "List and filter your resources").
 */
function wildcardRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\' && i + 1 < pattern.length) {
      source += escapeRegExp(pattern[++i]!);
    } else if (ch === '*') {
      source += '.*';
    } else if (ch === '?') {
      source += '.';
    } else {
      source += escapeRegExp(ch);
    }
  }
  return new RegExp(`^${source}$`, 's');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

function asStrings(value: FilterValue | FilterValue[]): string[] {
  const values = Array.isArray(value) ? value : [value];
  return values.filter((v): v is string | number | boolean => v !== undefined).map(String);
}

/**
 * True when `item` passes every filter (filters AND together, values within one filter OR
 * together). `tag:<key>`, `tag-key` and `tag-value` work on any resource given `tagsOf`. An
 * unknown filter name is an error, as in EC2.
 */
export function matchesFilters<T>(
  item: T,
  filters: Filter[] | undefined,
  table: FilterTable<T>,
  tagsOf?: (item: T) => Tag[],
): boolean {
  for (const filter of filters ?? []) {
    const candidates = filterCandidates(item, filter.name, table, tagsOf);
    const patterns = filter.values.map(wildcardRegExp);
    if (!candidates.some((candidate) => patterns.some((pattern) => pattern.test(candidate)))) return false;
  }
  return true;
}

/** Reject unknown filter names up front, even when there is nothing to filter (EC2 does). */
export function checkFilters<T>(
  filters: Filter[] | undefined,
  table: FilterTable<T>,
  tagFilters = true,
): void {
  for (const { name } of filters ?? []) {
    const isTag = name.startsWith('tag:') || name === 'tag-key' || name === 'tag-value';
    if (!(isTag && tagFilters) && !Object.hasOwn(table, name)) {
      throw new Ec2Error('InvalidParameterValue', `The filter '${name}' is invalid`);
    }
  }
}

function filterCandidates<T>(
  item: T,
  name: string,
  table: FilterTable<T>,
  tagsOf: ((item: T) => Tag[]) | undefined,
): string[] {
  if (tagsOf) {
    if (name.startsWith('tag:')) {
      const key = name.slice(4);
      return tagsOf(item)
        .filter((tag) => tag.key === key)
        .map((tag) => tag.value);
    }
    if (name === 'tag-key') return tagsOf(item).map((tag) => tag.key);
    if (name === 'tag-value') return tagsOf(item).map((tag) => tag.value);
  }
  const accessor = Object.hasOwn(table, name) ? table[name] : undefined;
  if (!accessor) throw new Ec2Error('InvalidParameterValue', `The filter '${name}' is invalid`);
  return asStrings(accessor(item));
}
