/**
 * The KLAP AES session shared by client and device once the handshake is
 * done: key, IV prefix, signing key and the sequence number, all derived
 * from both seeds and the auth_hash.
 */
import { createCipheriv, createDecipheriv, createHash, hash, timingSafeEqual } from 'node:crypto';
import { sha256 } from './auth';
import { ReusableCbc } from './cbc';

export const SIGNATURE_LENGTH = 32;
const BLOCK = 16;
const INT32_MAX = 0x7fffffff;
const SIGNING_KEY_LENGTH = 28;

/**
 * SHA-256 of `data` written over its first 32 bytes. One-shot where Node
 * has it (20.12 and later): cheaper than a Hash object. It asks for the
 * digest as 'binary' (latin1) text, one character per byte, and writes that back: on
 * Node 20 a digest returned as a Buffer, made by the native side, cost 1.4
 * µs of a request, the text and the write 0.4 (a microbenchmark of 176
 * bytes; the KLAP request's signature is the one hash of every request).
 */
const signInPlace: (data: Buffer) => void = typeof hash === 'function'
  ? (data) => { data.write(hash('sha256', data, 'binary'), 0, 'latin1'); }
  : (data) => { createHash('sha256').update(data).digest().copy(data, 0); };

export interface SessionKeys {
  key: Buffer; // 16 bytes, AES-128
  ivPrefix: Buffer; // 12 bytes; the last 4 bytes of each IV are the sequence number
  signingKey: Buffer; // 28 bytes
  initialSeq: number; // signed 32-bit
}

export function deriveSessionKeys(localSeed: Buffer, remoteSeed: Buffer, auth: Buffer): SessionKeys {
  const ivFull = sha256(Buffer.from('iv'), localSeed, remoteSeed, auth);
  return {
    key: sha256(Buffer.from('lsk'), localSeed, remoteSeed, auth).subarray(0, 16),
    ivPrefix: ivFull.subarray(0, 12),
    signingKey: sha256(Buffer.from('ldk'), localSeed, remoteSeed, auth).subarray(0, SIGNING_KEY_LENGTH),
    initialSeq: ivFull.readInt32BE(28),
  };
}

function seqBytes(seq: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeInt32BE(seq, 0);
  return out;
}

function ivFor(keys: SessionKeys, seq: number): Buffer {
  const iv = Buffer.allocUnsafe(16);
  keys.ivPrefix.copy(iv, 0, 0, 12);
  iv.writeInt32BE(seq, 12);
  return iv;
}

export function signature(keys: SessionKeys, seq: number, ciphertext: Buffer): Buffer {
  return sha256(keys.signingKey, seqBytes(seq), ciphertext);
}

/** signature + AES-128-CBC(PKCS#7) ciphertext: the body of a request or reply. */
export function sealPayload(keys: SessionKeys, seq: number, plaintext: Buffer): Buffer {
  const cipher = createCipheriv('aes-128-cbc', keys.key, ivFor(keys, seq));
  const head = cipher.update(plaintext);
  const tail = cipher.final();
  // The signature covers the ciphertext; hashing its two parts saves joining them twice (this runs per request).
  const sign = createHash('sha256').update(keys.signingKey).update(seqBytes(seq)).update(head).update(tail).digest();
  return Buffer.concat([sign, head, tail], SIGNATURE_LENGTH + head.length + tail.length);
}

export type OpenResult = { ok: true; plaintext: Buffer } | { ok: false; reason: string };

/**
 * Decrypts a sealed body. Never throws: a device's reply is untrusted input.
 * `checkSignature` is for the device side; the client does not check reply
 * signatures because the public reverse engineering does not establish how
 * every firmware signs them (python-kasa ignores them too), while a wrong
 * key still shows up as a padding failure in nearly every case.
 */
export function openPayload(keys: SessionKeys, seq: number, body: Buffer, checkSignature = false): OpenResult {
  const ciphertext = body.subarray(SIGNATURE_LENGTH);
  if (body.length < SIGNATURE_LENGTH + BLOCK || ciphertext.length % BLOCK !== 0) {
    return { ok: false, reason: `body of ${body.length} bytes is not a signature and whole AES blocks` };
  }
  if (checkSignature && !timingSafeEqual(body.subarray(0, SIGNATURE_LENGTH), signature(keys, seq, ciphertext))) {
    return { ok: false, reason: 'signature mismatch' };
  }
  try {
    const decipher = createDecipheriv('aes-128-cbc', keys.key, ivFor(keys, seq));
    const head = decipher.update(ciphertext);
    const tail = decipher.final();
    return { ok: true, plaintext: tail.length === 0 ? head : Buffer.concat([head, tail], head.length + tail.length) };
  } catch {
    return { ok: false, reason: 'decryption failed (bad padding: wrong key or corrupted body)' };
  }
}

/**
 * One KLAP session's keys at work, for either side: seals a message and
 * opens one under a given sequence number. Its cipher objects live for the
 * session and it signs with one one-shot hash: setting them up again for
 * every message cost more than the message's own encryption (sealPayload
 * and openPayload, kept for the tests, give the same verdicts and bytes;
 * test/klap/session-cipher.test.ts and test/klap/cbc.test.ts compare them).
 */
export class KlapSessionCipher {
  /** The seq the handshake set: the first request's is the next one. */
  readonly initialSeq: number;
  // Private fields: util.inspect must not show the keys or what holds them.
  readonly #signingKey: Buffer;
  readonly #cbc: ReusableCbc;
  /** The IV prefix and room for a seq: each message writes its seq and hands it to the cipher, which only reads it. */
  readonly #iv = Buffer.alloc(BLOCK);

  /** `keys`: as deriveSessionKeys makes them (the layout below needs its 28-byte signing key). */
  constructor(keys: SessionKeys) {
    if (keys.signingKey.length !== SIGNING_KEY_LENGTH) throw new RangeError(`expected a ${SIGNING_KEY_LENGTH}-byte signing key, got ${keys.signingKey.length}`);
    this.initialSeq = keys.initialSeq;
    this.#signingKey = keys.signingKey;
    this.#cbc = new ReusableCbc(keys.key);
    keys.ivPrefix.copy(this.#iv, 0, 0, 12);
  }

  /** signature + AES-128-CBC(PKCS#7) ciphertext of `plaintext`, as sealPayload(keys, seq, plaintext) gives it. */
  seal(seq: number, plaintext: Buffer): Buffer {
    return this.#signed(seq, this.#cbc.encrypt(this.#ivFor(seq), plaintext));
  }

  /**
   * The plaintext, or why the body is refused, as openPayload(keys, seq,
   * body, checkSignature) checks it: size, then (the device side) the
   * signature, then padding. Never throws: the other side is untrusted.
   */
  open(seq: number, body: Buffer, checkSignature = false): OpenResult {
    const length = body.length;
    if (length < SIGNATURE_LENGTH + BLOCK || (length - SIGNATURE_LENGTH) % BLOCK !== 0) {
      return { ok: false, reason: `body of ${length} bytes is not a signature and whole AES blocks` };
    }
    const ciphertext = body.subarray(SIGNATURE_LENGTH);
    if (checkSignature && !timingSafeEqual(this.#signed(seq, ciphertext).subarray(0, SIGNATURE_LENGTH), body.subarray(0, SIGNATURE_LENGTH))) {
      return { ok: false, reason: 'signature mismatch' };
    }
    const plaintext = this.#cbc.decrypt(this.#ivFor(seq), ciphertext);
    return plaintext ? { ok: true, plaintext } : { ok: false, reason: 'decryption failed (bad padding: wrong key or corrupted body)' };
  }

  /**
   * What is signed (signing key, seq, ciphertext) is exactly as long as a
   * sealed body (signature, ciphertext): it is laid out in a new buffer,
   * hashed in one call, and the signature then takes the place of the
   * signing key and seq, leaving the sealed body.
   */
  #signed(seq: number, ciphertext: Buffer): Buffer {
    const body = Buffer.allocUnsafe(SIGNATURE_LENGTH + ciphertext.length);
    this.#signingKey.copy(body, 0);
    body.writeInt32BE(seq, SIGNING_KEY_LENGTH);
    ciphertext.copy(body, SIGNATURE_LENGTH);
    signInPlace(body);
    return body;
  }

  #ivFor(seq: number): Buffer {
    this.#iv.writeInt32BE(seq, 12);
    return this.#iv;
  }
}

/**
 * Client-side session: each request takes the next sequence number. It
 * refuses to wrap past 2^31-1 (a device would see the number go backwards);
 * the caller handshakes again instead.
 */
export class KlapClientSession {
  readonly keys: SessionKeys;
  private seq: number;
  // A private field: util.inspect must not show what holds the key.
  readonly #cipher: KlapSessionCipher;

  constructor(keys: SessionKeys) {
    this.keys = keys;
    this.seq = keys.initialSeq;
    this.#cipher = new KlapSessionCipher(keys);
  }

  get exhausted(): boolean {
    return this.seq >= INT32_MAX;
  }

  /** Seals one request; returns the body and the seq for the URL and the reply. */
  seal(plaintext: Buffer): { seq: number; body: Buffer } {
    if (this.exhausted) throw new RangeError('KLAP sequence number space exhausted');
    this.seq += 1;
    return { seq: this.seq, body: this.#cipher.seal(this.seq, plaintext) };
  }

  /** Decrypts a reply (its signature unchecked, as openPayload explains). Never throws. */
  open(seq: number, body: Buffer): OpenResult {
    return this.#cipher.open(seq, body);
  }
}
