/**
 * Readers that check untrusted JSON against the shape a caller expects and
 * return it typed: one small combinator per JSON type, composed into one
 * reader per reply shape next to the code that sends the request. A reader
 * either returns a value of its type or throws a JsonShapeError saying where
 * and what was wrong; it never coerces ("on" is not a relay state, "NaN" is
 * not a number). Object readers return only the fields they declare, in a
 * fresh plain object, so nothing unchecked travels on by accident.
 */
import { JsonShapeError } from './shape-error';

/** Checks `value` (found at `path`) and returns it typed, or throws a JsonShapeError. */
export type Reader<T> = (value: unknown, path: string) => T;
export type ReadResult<R> = R extends Reader<infer T> ? T : never;

export type JsonObject = Record<string, unknown>;

/** A plain JSON object: not null, not an array. */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What a value is, for error messages: its JSON start, or its type. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 24 ? `${value.slice(0, 24)}...` : value);
  return String(value);
}

function fail(path: string, expected: string, value: unknown): never {
  throw new JsonShapeError(path, `should be ${expected}, got ${describeValue(value)}`);
}

export const string: Reader<string> = (value, path) => (typeof value === 'string' ? value : fail(path, 'a string', value));

export const boolean: Reader<boolean> = (value, path) => (typeof value === 'boolean' ? value : fail(path, 'true or false', value));

/** A finite number (JSON cannot carry NaN, but 1e400 parses to Infinity). */
export const finiteNumber: Reader<number> = (value, path) =>
  typeof value === 'number' && Number.isFinite(value) ? value : fail(path, 'a finite number', value);

export const integer: Reader<number> = (value, path) =>
  typeof value === 'number' && Number.isSafeInteger(value) ? value : fail(path, 'an integer', value);

export function integerIn(min: number, max: number): Reader<number> {
  return (value, path) =>
    typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max ? value : fail(path, `an integer from ${min} to ${max}`, value);
}

export function numberIn(min: number, max: number): Reader<number> {
  return (value, path) =>
    typeof value === 'number' && value >= min && value <= max ? value : fail(path, `a number from ${min} to ${max}`, value);
}

/** A 0/1 flag, as relay states and on_off are sent. */
export const bit: Reader<0 | 1> = (value, path) => (value === 0 || value === 1 ? value : fail(path, '0 or 1', value));

export function oneOf<T extends string | number | boolean>(...allowed: readonly T[]): Reader<T> {
  const expected = allowed.map((a) => JSON.stringify(a)).join(' or ');
  return (value, path) => (allowed.includes(value as T) ? (value as T) : fail(path, expected, value));
}

/** Any JSON object, unchecked inside (already bounded by the parser). */
export const anyObject: Reader<JsonObject> = (value, path) => (isJsonObject(value) ? value : fail(path, 'an object', value));

/** Absent (or undefined) reads as undefined; anything present must pass `reader`. */
export function optional<T>(reader: Reader<T>): Reader<T | undefined> {
  return (value, path) => (value === undefined ? undefined : reader(value, path));
}

/** Like optional, but a value that does not pass also reads as undefined: for fields some firmware fills with junk we can do without. */
export function lenient<T>(reader: Reader<T>): Reader<T | undefined> {
  return (value, path) => {
    if (value === undefined) return undefined;
    try {
      return reader(value, path);
    } catch (error) {
      if (error instanceof JsonShapeError) return undefined;
      throw error;
    }
  };
}

export function nullable<T>(reader: Reader<T>): Reader<T | null> {
  return (value, path) => (value === null ? null : reader(value, path));
}

export function arrayOf<T>(reader: Reader<T>, options: { maxLength?: number } = {}): Reader<T[]> {
  const maxLength = options.maxLength ?? 10_000;
  return (value, path) => {
    if (!Array.isArray(value)) return fail(path, 'an array', value);
    if (value.length > maxLength) throw new JsonShapeError(path, `has ${value.length} entries, more than the limit of ${maxLength}`);
    return value.map((item, index) => reader(item, `${path}[${index}]`));
  };
}

type Fields = Record<string, Reader<unknown>>;
/** Fields whose reader may read undefined (optional, lenient) are optional keys: they are left out when absent. */
type OptionalKeys<F extends Fields> = { [K in keyof F]: undefined extends ReadResult<F[K]> ? K : never }[keyof F];
type Flatten<T> = { [K in keyof T]: T[K] };
export type ObjectOf<F extends Fields> = Flatten<
  { [K in Exclude<keyof F, OptionalKeys<F>>]: ReadResult<F[K]> } & { [K in OptionalKeys<F>]?: ReadResult<F[K]> }
>;

/**
 * `value[key]` through `reader`, its path `path.key`: own properties only,
 * so an inherited name (`toString`, `__proto__`) reads as absent. What
 * object() does for each field, for readers that build their own result.
 */
export function field<T>(value: JsonObject, path: string, key: string, reader: Reader<T>): T {
  const item = Object.prototype.hasOwnProperty.call(value, key) ? value[key] : undefined;
  return reader(item, path === '' ? key : `${path}.${key}`);
}

/**
 * An object with the declared fields (others are ignored and not returned).
 * Fields that read as undefined are left out of the result.
 */
export function object<F extends Fields>(fields: F): Reader<ObjectOf<F>> {
  const entries = Object.entries(fields);
  return (value, path) => {
    if (!isJsonObject(value)) return fail(path, 'an object', value);
    const out: JsonObject = {};
    for (const [key, reader] of entries) {
      const read = field(value, path, key, reader);
      if (read !== undefined) defineOwn(out, key, read);
    }
    return out as ObjectOf<F>;
  };
}

/**
 * Like object(), but every undeclared field is kept as it came (plain JSON,
 * already bounded by the parser): for replies passed on whole, such as a
 * sysinfo in a flow message, where only the fields the code reads are checked.
 */
export function objectKeeping<F extends Fields>(fields: F): Reader<ObjectOf<F> & JsonObject> {
  const entries = Object.entries(fields);
  return (value, path) => {
    if (!isJsonObject(value)) return fail(path, 'an object', value);
    const out: JsonObject = {};
    for (const [key, item] of Object.entries(value)) {
      if (!Object.prototype.hasOwnProperty.call(fields, key)) defineOwn(out, key, item);
    }
    for (const [key, reader] of entries) {
      const read = field(value, path, key, reader);
      if (read !== undefined) defineOwn(out, key, read);
    }
    return out as ObjectOf<F> & JsonObject;
  };
}

/** An object used as a map: every own value must pass `reader`. */
export function recordOf<T>(reader: Reader<T>): Reader<Record<string, T>> {
  return (value, path) => {
    if (!isJsonObject(value)) return fail(path, 'an object', value);
    const out: Record<string, T> = {};
    for (const [key, item] of Object.entries(value)) {
      defineOwn(out, key, reader(item, `${path}.${key}`));
    }
    return out;
  };
}

/** Sets even a key named `__proto__` as a plain own property. */
function defineOwn(target: object, key: string, value: unknown): void {
  // Only `__proto__` is an accessor on a plain object; a plain assignment is many times faster for the rest.
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else (target as Record<string, unknown>)[key] = value;
}

/** The first reader that accepts the value wins; the error names what all of them expected. */
export function either<A, B>(first: Reader<A>, second: Reader<B>, expected: string): Reader<A | B> {
  return (value, path) => {
    try {
      return first(value, path);
    } catch (error) {
      if (!(error instanceof JsonShapeError)) throw error;
    }
    try {
      return second(value, path);
    } catch (error) {
      if (!(error instanceof JsonShapeError)) throw error;
      return fail(path, expected, value);
    }
  };
}

/** Runs a reader on a whole value; `what` names it in errors ("sysinfo", "get_device_info result"). */
export function read<T>(reader: Reader<T>, value: unknown, what = ''): T {
  return reader(value, what);
}
