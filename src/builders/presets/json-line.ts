// Tolerant reading of JSON-lines streams: a line is either a JSON object or ignored, and fields
// are read defensively because every CLI adds and renames fields between minor versions.

export type Json = Record<string, unknown>;

/** The object on this line, or null for anything else (blank, plain text, arrays, broken JSON). */
export function parseJsonObject(line: string): Json | null {
  const t = line.trim();
  if (!t.startsWith('{')) return null;
  try {
    const v: unknown = JSON.parse(t);
    return isObject(v) ? v : null;
  } catch {
    return null;
  }
}

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export const obj = (v: unknown): Json => (isObject(v) ? v : {});
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** The first string among the named fields of `o`. */
export function firstStr(o: Json, ...keys: string[]): string | undefined {
  for (const k of keys) {
    const v = str(o[k]);
    if (v !== undefined && v !== '') return v;
  }
  return undefined;
}

/** Sum of the numbers given, or undefined when none is a number. */
export function sum(...values: Array<number | undefined>): number | undefined {
  const present = values.filter((v): v is number => v !== undefined);
  return present.length === 0 ? undefined : present.reduce((a, b) => a + b, 0);
}

/** Drops undefined fields; undefined when nothing is left. */
export function compact<T extends object>(o: T): T | undefined {
  const entries = Object.entries(o).filter(([, v]) => v !== undefined);
  return entries.length === 0 ? undefined : (Object.fromEntries(entries) as T);
}

/** `{ key: value }`, or `{}` when value is undefined: for optional fields of a literal. */
export function opt<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}
