/**
 * The securePassthrough session cipher: AES-128-CBC with PKCS#7 padding,
 * one key and one IV for the whole session (the device chose both), the
 * ciphertext carried as base64 inside JSON. Key and IV live in private
 * fields so that util.inspect, Node-RED's debug pane and logs never show them.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';

export const AES_KEY_LENGTH = 16;
const BLOCK = 16;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export class AesSessionCipher {
  readonly #key: Buffer;
  readonly #iv: Buffer;

  /** `keyAndIv`: the 32 bytes the device sent in its handshake reply (key, then IV). */
  constructor(keyAndIv: Buffer) {
    if (keyAndIv.length !== 2 * AES_KEY_LENGTH) throw new RangeError(`expected 32 bytes of key and IV, got ${keyAndIv.length}`);
    this.#key = Buffer.from(keyAndIv.subarray(0, AES_KEY_LENGTH));
    this.#iv = Buffer.from(keyAndIv.subarray(AES_KEY_LENGTH));
  }

  /** Copies, for the debug hook that lets a dissector decrypt a capture. */
  exportKeys(): { key: Buffer; iv: Buffer } {
    return { key: Buffer.from(this.#key), iv: Buffer.from(this.#iv) };
  }

  encrypt(plaintext: Buffer): string {
    const cipher = createCipheriv('aes-128-cbc', this.#key, this.#iv);
    return Buffer.concat([cipher.update(plaintext), cipher.final()]).toString('base64');
  }

  /** Undefined when the text is not base64 of whole blocks that decrypt with valid padding. Never throws. */
  decrypt(base64: string): Buffer | undefined {
    if (!BASE64.test(base64)) return undefined;
    const ciphertext = Buffer.from(base64, 'base64');
    if (ciphertext.length === 0 || ciphertext.length % BLOCK !== 0) return undefined;
    try {
      const decipher = createDecipheriv('aes-128-cbc', this.#key, this.#iv);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    } catch {
      return undefined;
    }
  }
}
