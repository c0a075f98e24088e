/**
 * The device's half of a KLAP session: checks and opens each request, and
 * seals each reply under the request's sequence number. openPayload and
 * sealPayload (lib/klap/session.ts) give the same verdicts and bytes, but
 * they make a Node cipher object and a hash object per message, which was
 * most of a simulated KLAP device's crypto time per request (6.6 µs to open
 * and 6.9 µs to seal a get_device_info on Node 20). This keeps one
 * encryptor and one decryptor for the session (ReusableCbc) and signs with
 * a one-shot hash over a buffer laid out as what is signed.
 * test/simulator/klap-device-session.test.ts pins both to the per-message
 * functions.
 */
import { createHash, hash, timingSafeEqual } from 'node:crypto';
import { CBC_BLOCK, ReusableCbc } from '../klap/cbc';
import { SIGNATURE_LENGTH, type OpenResult, type SessionKeys } from '../klap/session';

/** The signing key's length: it and the 4-byte seq fill exactly the signature's place. */
const SIGNING_KEY_LENGTH = SIGNATURE_LENGTH - 4;

/**
 * SHA-256 of `data`, written over its first 32 bytes. The one-shot hash
 * (Node 20.12 and later) is asked for 'binary' text, which is cheaper to
 * get than a Buffer from the native side; older Node takes a Hash object.
 */
const signInPlace: (data: Buffer) => void = typeof hash === 'function'
  ? (data) => { data.write(hash('sha256', data, 'binary'), 0, 'latin1'); }
  : (data) => { createHash('sha256').update(data).digest().copy(data, 0); };

export class KlapDeviceSession {
  /** The seq the handshake set: the first request's must be greater. */
  readonly initialSeq: number;
  // Private fields: util.inspect must not show the keys or what holds them.
  readonly #signingKey: Buffer;
  readonly #cbc: ReusableCbc;
  /** The IV prefix and room for a seq, written per message; the cipher only reads it. */
  readonly #iv = Buffer.alloc(CBC_BLOCK);

  /** `keys`: as deriveSessionKeys makes them (the layout below needs its 28-byte signing key). */
  constructor(keys: SessionKeys) {
    if (keys.signingKey.length !== SIGNING_KEY_LENGTH) throw new RangeError(`expected a ${SIGNING_KEY_LENGTH}-byte signing key, got ${keys.signingKey.length}`);
    this.initialSeq = keys.initialSeq;
    this.#signingKey = keys.signingKey;
    this.#cbc = new ReusableCbc(keys.key);
    keys.ivPrefix.copy(this.#iv, 0, 0, 12);
  }

  /**
   * The request's plaintext, or why it is refused, checked in the order
   * and with the reasons of openPayload(keys, seq, body, true): size, then
   * signature, then padding. Never throws.
   */
  open(seq: number, body: Buffer): OpenResult {
    const length = body.length;
    if (length < SIGNATURE_LENGTH + CBC_BLOCK || (length - SIGNATURE_LENGTH) % CBC_BLOCK !== 0) {
      return { ok: false, reason: `body of ${length} bytes is not a signature and whole AES blocks` };
    }
    const signed = this.#signed(seq, body.subarray(SIGNATURE_LENGTH));
    if (!timingSafeEqual(signed.subarray(0, SIGNATURE_LENGTH), body.subarray(0, SIGNATURE_LENGTH))) {
      return { ok: false, reason: 'signature mismatch' };
    }
    const plaintext = this.#cbc.decrypt(this.#ivFor(seq), body.subarray(SIGNATURE_LENGTH));
    return plaintext ? { ok: true, plaintext } : { ok: false, reason: 'decryption failed (bad padding: wrong key or corrupted body)' };
  }

  /** signature + AES-128-CBC(PKCS#7) ciphertext of the reply, as sealPayload(keys, seq, plaintext) gives it. */
  seal(seq: number, plaintext: Buffer): Buffer {
    return this.#signed(seq, this.#cbc.encrypt(this.#ivFor(seq), plaintext));
  }

  /**
   * signingKey, seq and ciphertext laid out in a new buffer as long as a
   * sealed body, hashed in one call: the signature then stands where the
   * signing key and seq were, and the buffer is the sealed body.
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
