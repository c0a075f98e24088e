/**
 * The Smart Home protocol's XOR autokey cipher: every byte is XORed with the
 * previous ciphertext byte, the first one with 171.
 *
 * Encryption is a running XOR (c[i] = key ^ p[0] ^ ... ^ p[i]) and decryption
 * is c[i] ^ c[i-1]; both are computed four bytes at a time on 32-bit words
 * (little-endian hosts), which is what makes them faster than a byte loop.
 */
import { endianness } from 'os';

export const INITIAL_KEY = 0xab;

const LITTLE_ENDIAN = endianness() === 'LE';
/** Below this many bytes the word path's set-up costs more than it saves. */
const WORD_THRESHOLD = 48;

export type Plaintext = Buffer | Uint8Array | string;

/** Encrypts `input` (a string is encoded as UTF-8) into a new Buffer. */
export function encrypt(input: Plaintext, key: number = INITIAL_KEY): Buffer {
  if (input.length < WORD_THRESHOLD) {
    const small = typeof input === 'string' ? encryptShortAscii(input, key) : encryptShort(input, key);
    if (small) return small;
  }
  const out = toOwnedBuffer(input, 0);
  encryptInPlace(out, 0, out.length, key);
  return out;
}

/** Decrypts `input` into a new Buffer; the input is left untouched. */
export function decrypt(input: Uint8Array, key: number = INITIAL_KEY): Buffer {
  const n = input.length;
  if (n < WORD_THRESHOLD) {
    // Short messages: one pass from input to output beats a copy and a pass.
    const out = Buffer.allocUnsafe(n);
    let k = key & 0xff;
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const c0 = input[i];
      const c1 = input[i + 1];
      const c2 = input[i + 2];
      const c3 = input[i + 3];
      out[i] = c0 ^ k;
      out[i + 1] = c1 ^ c0;
      out[i + 2] = c2 ^ c1;
      out[i + 3] = c3 ^ c2;
      k = c3;
    }
    for (; i < n; i++) {
      const c = input[i];
      out[i] = c ^ k;
      k = c;
    }
    return out;
  }
  const out = outputOf(n);
  out.set(input);
  decryptInPlace(out, 0, n, key);
  return out;
}

/**
 * Outputs from 4 KiB up to SLAB_MAX bytes are cut from a shared slab, as
 * Node's own Buffer pool cuts those under 4 KiB: a Buffer of its own (an
 * ArrayBuffer and its backing store) cost more than decrypting 4 KiB
 * (about 2.4 µs against 1.3 µs on Node 20 here), and device replies of
 * several KiB (a strip's sysinfo, a month of daily energy) are common.
 * A kept output keeps its slab alive, as a kept pooled Buffer keeps Node's;
 * SLAB_MAX bounds that to SLAB_SIZE per output kept.
 */
const SLAB_SIZE = 64 * 1024;
const SLAB_MAX = 16 * 1024;
let slab = Buffer.alloc(0);
let slabUsed = 0;

function outputOf(n: number): Buffer {
  if (n > SLAB_MAX || n < Buffer.poolSize >>> 1) return Buffer.allocUnsafe(n);
  if (slabUsed + n > slab.length) {
    slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
    slabUsed = 0;
  }
  const out = slab.subarray(slabUsed, slabUsed + n);
  // The next output starts on an 8-byte boundary, where the word loop needs no byte-wise start.
  slabUsed = (slabUsed + n + 7) & ~7;
  return out;
}

function encryptShort(input: Uint8Array, key: number): Buffer {
  const n = input.length;
  const out = Buffer.allocUnsafe(n);
  let k = key & 0xff;
  for (let i = 0; i < n; i++) {
    k ^= input[i];
    out[i] = k;
  }
  return out;
}

/**
 * Short ASCII strings skip the UTF-8 encoder: encrypted straight into a new
 * Buffer after `headroom` spare bytes. Anything else returns undefined.
 */
export function encryptShortAscii(input: string, key: number = INITIAL_KEY, headroom = 0): Buffer | undefined {
  const n = input.length;
  const out = Buffer.allocUnsafe(headroom + n);
  let k = key & 0xff;
  for (let i = 0; i < n; i++) {
    const c = input.charCodeAt(i);
    if (c > 0x7f) return undefined;
    k ^= c;
    out[headroom + i] = k;
  }
  return out;
}

/** Copies `input` into a fresh Buffer with `headroom` spare bytes in front. */
export function toOwnedBuffer(input: Plaintext, headroom: number): Buffer {
  if (typeof input === 'string') {
    if (headroom === 0) return Buffer.from(input, 'utf8');
    const length = Buffer.byteLength(input, 'utf8');
    const out = Buffer.allocUnsafe(headroom + length);
    out.write(input, headroom, length, 'utf8');
    return out;
  }
  const out = Buffer.allocUnsafe(headroom + input.length);
  out.set(input, headroom);
  return out;
}

/** Encrypts buf[start, end) in place and returns the last ciphertext byte. */
export function encryptInPlace(buf: Uint8Array, start: number, end: number, key: number = INITIAL_KEY): number {
  let i = start;
  let k = key & 0xff;
  if (LITTLE_ENDIAN && end - start >= WORD_THRESHOLD) {
    for (; i < end && ((buf.byteOffset + i) & 3) !== 0; i++) {
      k ^= buf[i];
      buf[i] = k;
    }
    const words = (end - i) >>> 2;
    const view = new Uint32Array(buf.buffer, buf.byteOffset + i, words);
    for (let w = 0; w < words; w++) {
      let x = view[w];
      x ^= x << 8;
      x ^= x << 16;
      x ^= Math.imul(k, 0x01010101);
      view[w] = x;
      k = x >>> 24;
    }
    i += words << 2;
  }
  for (; i < end; i++) {
    k ^= buf[i];
    buf[i] = k;
  }
  return k;
}

/** Decrypts buf[start, end) in place. */
export function decryptInPlace(buf: Uint8Array, start: number, end: number, key: number = INITIAL_KEY): void {
  let i = start;
  let k = key & 0xff;
  if (LITTLE_ENDIAN && end - start >= WORD_THRESHOLD) {
    for (; i < end && ((buf.byteOffset + i) & 3) !== 0; i++) {
      const c = buf[i];
      buf[i] = c ^ k;
      k = c;
    }
    const words = (end - i) >>> 2;
    const view = new Uint32Array(buf.buffer, buf.byteOffset + i, words);
    for (let w = 0; w < words; w++) {
      const c = view[w];
      view[w] = c ^ ((c << 8) | k);
      k = c >>> 24;
    }
    i += words << 2;
  }
  for (; i < end; i++) {
    const c = buf[i];
    buf[i] = c ^ k;
    k = c;
  }
}
