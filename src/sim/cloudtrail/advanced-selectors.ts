import { SimError } from '../core/errors.js';
import type { CloudTrailRecord } from './model.js';

/**
 * Advanced event selectors (CloudTrail API, `AdvancedEventSelector` / `AdvancedFieldSelector`):
 * a selector takes a record when every field selector matches; a trail takes it when any selector
 * does. Fields the simulator evaluates: eventCategory, eventSource, eventName, readOnly,
 * resources.type, resources.ARN (CloudTrail UG, "Filtering data events by using advanced event
 * selectors").
 */
export interface AdvancedFieldSelector {
  Field: string;
  Equals?: string[];
  StartsWith?: string[];
  EndsWith?: string[];
  NotEquals?: string[];
  NotStartsWith?: string[];
  NotEndsWith?: string[];
}

export interface AdvancedEventSelector {
  Name?: string;
  FieldSelectors: AdvancedFieldSelector[];
}

const FIELDS = new Set([
  'eventCategory',
  'eventSource',
  'eventName',
  'readOnly',
  'resources.type',
  'resources.ARN',
]);

function fieldValues(field: string, record: CloudTrailRecord): string[] {
  const resources = record.resources ?? [];
  switch (field) {
    case 'eventCategory':
      return [record.eventCategory];
    case 'eventSource':
      return [record.eventSource];
    case 'eventName':
      return [record.eventName];
    case 'readOnly':
      return [String(record.readOnly === true)];
    case 'resources.type':
      // A data event's type is that of the resource it acts on (S3: the object).
      return record.eventCategory === 'Data' ? dataTypes(resources) : resources.map((r) => r.type ?? '');
    default:
      return resources.map((r) => r.ARN ?? '');
  }
}

function dataTypes(resources: { type?: string }[]): string[] {
  const types = resources.map((r) => r.type ?? '');
  return types.includes('AWS::S3::Object') ? ['AWS::S3::Object'] : types;
}

function fieldMatches(f: AdvancedFieldSelector, record: CloudTrailRecord): boolean {
  const values = fieldValues(f.Field, record);
  const any = (list: string[] | undefined, test: (v: string, p: string) => boolean): boolean =>
    values.some((v) => (list ?? []).some((p) => test(v, p)));
  if (f.Equals && !any(f.Equals, (v, p) => v === p)) return false;
  if (f.StartsWith && !any(f.StartsWith, (v, p) => v.startsWith(p))) return false;
  if (f.EndsWith && !any(f.EndsWith, (v, p) => v.endsWith(p))) return false;
  if (f.NotEquals && any(f.NotEquals, (v, p) => v === p)) return false;
  if (f.NotStartsWith && any(f.NotStartsWith, (v, p) => v.startsWith(p))) return false;
  if (f.NotEndsWith && any(f.NotEndsWith, (v, p) => v.endsWith(p))) return false;
  return true;
}

/** Whether an advanced selector takes the record. */
export function advancedWants(selector: AdvancedEventSelector, record: CloudTrailRecord): boolean {
  return selector.FieldSelectors.every((f) => fieldMatches(f, record));
}

const invalid = (message: string): SimError => new SimError('InvalidEventSelectorsException', message, 400);

/** PutEventSelectors' AdvancedEventSelectors, checked as CloudTrail checks them. */
export function advancedSelectorsFrom(raw: unknown): AdvancedEventSelector[] {
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > 500)
    throw invalid('You can specify between 1 and 500 advanced event selectors.');
  return raw.map((s: { Name?: unknown; FieldSelectors?: unknown }) => {
    const fields = Array.isArray(s.FieldSelectors) ? (s.FieldSelectors as AdvancedFieldSelector[]) : [];
    if (!fields.some((f) => f.Field === 'eventCategory'))
      throw invalid('Each advanced event selector must have a field selector for eventCategory.');
    for (const f of fields) {
      if (!FIELDS.has(f.Field))
        throw invalid(`The field ${String(f.Field)} is not supported by the simulated account.`);
    }
    return {
      ...(typeof s.Name === 'string' ? { Name: s.Name } : {}),
      FieldSelectors: fields.map(
        (f) =>
          Object.fromEntries(
            Object.entries(f).filter(([, v]) => v !== undefined),
          ) as unknown as AdvancedFieldSelector,
      ),
    };
  });
}
