/**
 * TDDP version 2 data encryption: DES-ECB, key = first 8 bytes of
 * MD5(username + password), plaintext zero-padded to a multiple of 8.
 *
 * des.js is used because Node's OpenSSL 3 no longer ships single DES.
 */
import { createHash } from 'crypto';
import { DES } from 'des.js';

export const DES_BLOCK_LENGTH = 8;

export function deriveKey(username: string, password: string): Buffer {
  return createHash('md5').update(username + password, 'utf8').digest().subarray(0, DES_BLOCK_LENGTH);
}

/** Zero-pads `plain` to whole blocks and encrypts it; empty data stays empty. */
export function encryptData(key: Uint8Array, plain: Uint8Array | string): Buffer {
  const bytes = typeof plain === 'string' ? Buffer.from(plain, 'utf8') : plain;
  const padded = Buffer.alloc(Math.ceil(bytes.length / DES_BLOCK_LENGTH) * DES_BLOCK_LENGTH);
  padded.set(bytes);
  return runDes('encrypt', key, padded);
}

/** Decrypts whole blocks, keeping the zero padding. Throws RangeError on a partial block. */
export function decryptBlocks(key: Uint8Array, cipher: Uint8Array): Buffer {
  if (cipher.length % DES_BLOCK_LENGTH !== 0) {
    throw new RangeError(`encrypted TDDP data must be a multiple of ${DES_BLOCK_LENGTH} bytes, got ${cipher.length}`);
  }
  return runDes('decrypt', key, cipher);
}

/** Decrypts and removes the zero padding (see stripZeroPadding). */
export function decryptData(key: Uint8Array, cipher: Uint8Array): Buffer {
  return stripZeroPadding(decryptBlocks(key, cipher));
}

/**
 * Removes trailing zero bytes, at most 7: the sender never pads a whole
 * block, so zeros before the last block are data. Zero padding is ambiguous
 * by design: data that itself ends in zero bytes loses them; callers that
 * care keep the output of decryptBlocks.
 */
export function stripZeroPadding(padded: Buffer): Buffer {
  let end = padded.length;
  const floor = Math.max(0, padded.length - (DES_BLOCK_LENGTH - 1));
  while (end > floor && padded[end - 1] === 0) end--;
  return padded.subarray(0, end);
}

/**
 * Heuristic for "decrypted with the wrong key". The digest covers the
 * encrypted bytes, so it matches whatever the credentials; only the
 * plaintext can tell. A device's plaintext either ends in zero padding (its
 * length is not a multiple of 8) or is block-aligned text. Wrong-key output
 * is random: its last byte is zero with probability 1/256 and 8 random bytes
 * are all printable ASCII with probability about 1/2500, so the check misses
 * a wrong key less than 0.5% of the time. It wrongly rejects only
 * block-aligned binary data whose last byte is not zero.
 */
export function looksCleanlyDecrypted(padded: Buffer): boolean {
  if (padded.length === 0 || padded[padded.length - 1] === 0) return true;
  for (const byte of padded) {
    if (!isPrintableAscii(byte)) return false;
  }
  return true;
}

function isPrintableAscii(byte: number): boolean {
  return (byte >= 0x20 && byte <= 0x7e) || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

function runDes(type: 'encrypt' | 'decrypt', key: Uint8Array, input: Uint8Array): Buffer {
  if (key.length !== DES_BLOCK_LENGTH) throw new RangeError(`a DES key is ${DES_BLOCK_LENGTH} bytes, got ${key.length}`);
  if (input.length === 0) return Buffer.alloc(0);
  const cipher = DES.create({ type, key, padding: false });
  const head = cipher.update(input);
  const tail = cipher.final();
  return Buffer.from(tail.length === 0 ? head : head.concat(tail));
}
