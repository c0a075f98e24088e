/**
 * Byte-level mutations of valid inputs (bit flips, interesting values,
 * insertions, deletions, truncation, splicing) and JSON-level ones
 * (values of the wrong type, deep nesting, prototype keys, huge numbers).
 */
import type { Rng } from './rng';

const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x22, 0x5c, 0x7b, 0x7d, 0x5b, 0x5d, 0x3a, 0x2c];
const INTERESTING_U32 = [0, 1, 0x7f, 0xff, 0x100, 0xffff, 0x10000, 0x100000, 0x100001, 0x7fffffff, 0x80000000, 0xffffffff];

export function mutateBytes(rng: Rng, input: Buffer, maxLength = 1 << 16): Buffer {
  let buf = Buffer.from(input);
  const steps = 1 + rng.below(4);
  for (let s = 0; s < steps; s++) {
    switch (rng.below(9)) {
      case 0: // flip a bit
        if (buf.length) buf[rng.below(buf.length)] ^= 1 << rng.below(8);
        break;
      case 1: // an interesting byte
        if (buf.length) buf[rng.below(buf.length)] = rng.pick(INTERESTING_BYTES);
        break;
      case 2: // a random byte
        if (buf.length) buf[rng.below(buf.length)] = rng.below(256);
        break;
      case 3: // an interesting 32-bit value, big-endian (length fields)
        if (buf.length >= 4) buf.writeUInt32BE(rng.pick(INTERESTING_U32), rng.below(buf.length - 3));
        break;
      case 4: { // insert random bytes
        const at = rng.below(buf.length + 1);
        buf = Buffer.concat([buf.subarray(0, at), rng.bytes(1 + rng.below(16)), buf.subarray(at)]);
        break;
      }
      case 5: { // delete a range
        if (!buf.length) break;
        const at = rng.below(buf.length);
        buf = Buffer.concat([buf.subarray(0, at), buf.subarray(at + 1 + rng.below(16))]);
        break;
      }
      case 6: // truncate
        buf = buf.subarray(0, rng.below(buf.length + 1));
        break;
      case 7: { // duplicate a range in place
        if (!buf.length) break;
        const at = rng.below(buf.length);
        const piece = buf.subarray(at, at + 1 + rng.below(32));
        buf = Buffer.concat([buf.subarray(0, at), piece, piece, buf.subarray(at + piece.length)]);
        break;
      }
      default: // append random bytes
        buf = Buffer.concat([buf, rng.bytes(rng.length(64))]);
    }
  }
  return buf.length > maxLength ? buf.subarray(0, maxLength) : buf;
}

const ODD_VALUES: unknown[] = [
  null, true, false, 0, -1, 1e308, -1e308, 2 ** 53 + 1, 0.1, '', 'x', '\u0000', '\ud800', [], [null], {}, { err_code: 1 },
  { err_code: '0' }, { err_code: -1, err_msg: 'module not support' }, { err_code: null }, { __proto__: { polluted: 1 } },
];

/** Replaces one value somewhere in a JSON tree by something of another type. */
export function mutateJson(rng: Rng, value: unknown, depth = 0): unknown {
  if (depth > 6 || rng.chance(0.25)) return rng.pick(ODD_VALUES);
  if (Array.isArray(value)) {
    if (value.length === 0) return rng.pick(ODD_VALUES);
    const copy = [...value];
    const i = rng.below(copy.length);
    copy[i] = mutateJson(rng, copy[i], depth + 1);
    return copy;
  }
  if (value !== null && typeof value === 'object') {
    const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    const keys = Object.keys(copy);
    if (keys.length === 0 || rng.chance(0.1)) {
      copy[rng.pick(['__proto__', 'constructor', 'err_code', 'children', 'toString', ''])] = rng.pick(ODD_VALUES);
      return copy;
    }
    const key = rng.pick(keys);
    if (rng.chance(0.1)) delete copy[key];
    else copy[key] = mutateJson(rng, copy[key], depth + 1);
    return copy;
  }
  return rng.pick(ODD_VALUES);
}

/** JSON text that stresses a parser: deep nesting, long strings, odd escapes. */
export function hostileJsonText(rng: Rng): string {
  switch (rng.below(6)) {
    case 0: {
      const depth = rng.length(20_000);
      return '['.repeat(depth) + ']'.repeat(rng.chance(0.5) ? depth : rng.below(depth + 1));
    }
    case 1: {
      const depth = rng.length(20_000);
      return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    }
    case 2:
      return `{"system":{"get_sysinfo":"${'\\u'.repeat(rng.length(64))}"}}`;
    case 3:
      return `{"system":{"get_sysinfo":{"relay_state":${'9'.repeat(rng.length(400))}}}}`;
    case 4:
      return '{"__proto__":{"err_code":5},"system":{"get_sysinfo":{"__proto__":{"relay_state":1}}}}';
    default:
      return `{"system":${'"'.repeat(rng.length(10))}}`;
  }
}
