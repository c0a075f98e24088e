/**
 * JSON from a device or a LAN host, parsed within limits. JSON.parse itself
 * copes with deep nesting, but everything after it does not: Node-RED's
 * message cloning, util.inspect and our own recursive code overflow the
 * stack on a value nested 100,000 levels deep. So the depth is counted on
 * the text, without recursion, before anything is built from it.
 */
import { JsonShapeError } from './shape-error';

/** Far above any real device (sysinfo and SMART replies nest 4 to 6 levels). */
export const DEFAULT_MAX_DEPTH = 32;
/** The same cap as the TCP frame decoder and the HTTP transports. */
export const DEFAULT_MAX_BYTES = 1024 * 1024;

export interface JsonLimits {
  /** Largest text accepted, in UTF-16 code units (about bytes for device JSON). Default 1 MiB. */
  maxBytes?: number;
  /** Deepest nesting of arrays and objects accepted. Default 32. */
  maxDepth?: number;
}

const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The deepest nesting of `[` and `{` outside strings, stopping as soon as it
 * passes `limit`. Malformed text gives some number; JSON.parse rejects it later.
 */
export function nestingDepth(text: string, limit = Infinity): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
    }
  }
  return deepest;
}

/**
 * True when `[` and `{` occur at most `limit` times in all, inside strings
 * or not: then nothing can nest deeper than `limit`. The native searches
 * cost a fraction of nestingDepth's scan of every character, and a device's
 * everyday reply (get_device_info, get_sysinfo) has only a few openers; a
 * text with more is scanned by nestingDepth as before.
 */
export function fewOpeners(text: string, limit: number): boolean {
  let count = 0;
  for (let at = text.indexOf('{'); at >= 0; at = text.indexOf('{', at + 1)) if (++count > limit) return false;
  for (let at = text.indexOf('['); at >= 0; at = text.indexOf('[', at + 1)) if (++count > limit) return false;
  return true;
}

/**
 * Parses untrusted JSON text. Throws a JsonShapeError when the text is too
 * long, nested too deep or not JSON; the value returned is plain data
 * without any `__proto__` key.
 */
export function parseBoundedJson(text: string, limits: JsonLimits = {}): unknown {
  const maxBytes = limits.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (text.length > maxBytes) {
    throw new JsonShapeError('', `is ${text.length} characters long, more than the limit of ${maxBytes}`);
  }
  if (!fewOpeners(text, maxDepth) && nestingDepth(text, maxDepth) > maxDepth) {
    throw new JsonShapeError('', `nests deeper than ${maxDepth} levels`);
  }
  try {
    return mayHoldProtoKey(text) ? (JSON.parse(text, dropProtoKeys) as unknown) : (JSON.parse(text) as unknown);
  } catch {
    throw new JsonShapeError('', `is not JSON: ${quoteStart(text)}`);
  }
}

/**
 * JSON.parse keeps a `__proto__` key as an own property, harmless here,
 * but Node-RED's message cloning (lodash.clonedeep) turns it into the
 * clone's prototype, where a later node would read its fields as if the
 * device had sent them. The key can be spelled with escapes (`\u005f_proto__`),
 * so any text with an escape takes the slower, filtering parse.
 */
function mayHoldProtoKey(text: string): boolean {
  return text.includes('__proto__') || text.includes('\\u');
}

function dropProtoKeys(key: string, value: unknown): unknown {
  return key === '__proto__' ? undefined : value;
}

/** The start of a text for an error message: short, quoted, control characters escaped. */
export function quoteStart(text: string, length = 60): string {
  return JSON.stringify(text.length > length ? `${text.slice(0, length)}...` : text);
}
