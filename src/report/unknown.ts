/**
 * A fact the case may not hold yet. Reports write it as `unknown (reason)`, never as a template
 * bracket, so a reader always learns why a value is missing.
 */
export interface Unknown {
  readonly unknown: string;
}

/** A value, or the reason it is not known. */
export type Fact<T> = T | Unknown;

/** Mark a fact unknown, with the reason a reader will see. */
export function unknown(reason: string): Unknown {
  return { unknown: reason };
}

/** True when a fact is not known. */
export function isUnknown(value: unknown): value is Unknown {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.keys(value).length === 1 &&
    typeof (value as { unknown?: unknown }).unknown === 'string'
  );
}

/** The words for an unknown fact. */
export function unknownText(value: Unknown): string {
  return `unknown (${value.unknown})`;
}

/** A fact as text: the value through `show`, or `unknown (reason)`. */
export function factText<T>(value: Fact<T>, show: (v: T) => string = String): string {
  return isUnknown(value) ? unknownText(value) : show(value);
}

/** The value of a fact, or a default when it is unknown. */
export function known<T, D>(value: Fact<T>, otherwise: D): T | D {
  return isUnknown(value) ? otherwise : value;
}
