/**
 * A tiny reader for the JSON text CloudTrail keeps in `requestParameters` and `responseElements`:
 * paths like `instancesSet.items[].instanceId` name every value to pick, so the tables that
 * describe created resources and accessed data stay declarations.
 */

/** Parse CloudTrail JSON text; malformed or absent text reads as nothing. */
export function parseJsonText(text: string | null): unknown {
  if (text === null || text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // A field the store could not keep as JSON (truncated over 100 KB by CloudTrail) holds no
    // values we can name; the event itself still appears in the timeline.
    return null;
  }
}

/** Every scalar value at `path` (`a.b[].c`); arrays marked `[]` fan out. */
export function valuesAt(root: unknown, path: string): unknown[] {
  let current: unknown[] = [root];
  for (const part of path.split('.')) {
    const fan = part.endsWith('[]');
    const key = fan ? part.slice(0, -2) : part;
    const next: unknown[] = [];
    for (const value of current) {
      if (typeof value !== 'object' || value === null) continue;
      const child = (value as Record<string, unknown>)[key];
      if (child === undefined || child === null) continue;
      if (fan && Array.isArray(child)) next.push(...(child as unknown[]));
      else next.push(child);
    }
    current = next;
  }
  return current;
}

/** The values at `path` as strings (numbers and booleans spelled out; objects skipped). */
export function stringsAt(root: unknown, path: string): string[] {
  return valuesAt(root, path)
    .filter((v) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
    .map(String);
}
