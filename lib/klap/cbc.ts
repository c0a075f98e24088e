/**
 * AES-128-CBC with PKCS#7 padding for many short messages under one key,
 * each message with its own IV (KLAP: the IV carries the sequence number;
 * AES securePassthrough: one IV for the session). Creating a Node cipher
 * object costs more than encrypting a device's reply with it, and KLAP and
 * securePassthrough need one per message, so this keeps one encryptor and
 * one decryptor per key for the whole session and restarts the chain at each
 * message by arithmetic instead.
 *
 * Why that is exact: CBC computes C0 = E(P0 xor IV) and Ci = E(Pi xor Ci-1).
 * A cipher object left running (no final(), no automatic padding) uses the
 * last ciphertext block it handled, `chain`, where a fresh one would use the
 * IV. Encrypting: feeding P0 xor IV xor chain makes it compute E(P0 xor IV),
 * and every later block is chained as usual. Decrypting: it outputs
 * D(C0) xor chain, so xor-ing chain xor IV into the first output block gives
 * D(C0) xor IV = P0. Only whole blocks are ever fed, so the objects never
 * hold back bytes between messages. test/klap/cbc.test.ts checks every
 * result against a fresh createCipheriv per message.
 */
import { createCipheriv, createDecipheriv, type Cipher, type Decipher } from 'node:crypto';

export const CBC_BLOCK = 16;
const ZERO_IV = Buffer.alloc(CBC_BLOCK);

export class ReusableCbc {
  // Private fields: util.inspect must not show the cipher objects (they hold the key).
  readonly #encryptor: Cipher;
  readonly #decryptor: Decipher;
  /** The last ciphertext block the encryptor produced (the zero IV before the first). */
  readonly #encryptChain = Buffer.alloc(CBC_BLOCK);
  /** The last ciphertext block the decryptor was fed. */
  readonly #decryptChain = Buffer.alloc(CBC_BLOCK);

  /** `key`: 16 bytes (AES-128). */
  constructor(key: Buffer) {
    this.#encryptor = createCipheriv('aes-128-cbc', key, ZERO_IV).setAutoPadding(false);
    this.#decryptor = createDecipheriv('aes-128-cbc', key, ZERO_IV).setAutoPadding(false);
  }

  /** The ciphertext of `plaintext` padded with PKCS#7, as a fresh cipher with `iv` would give it. */
  encrypt(iv: Buffer, plaintext: Buffer): Buffer {
    const pad = CBC_BLOCK - (plaintext.length % CBC_BLOCK);
    const padded = Buffer.allocUnsafe(plaintext.length + pad);
    plaintext.copy(padded, 0);
    padded.fill(pad, plaintext.length);
    const chain = this.#encryptChain;
    for (let i = 0; i < CBC_BLOCK; i++) padded[i] = (padded[i] as number) ^ (iv[i] as number) ^ (chain[i] as number);
    const ciphertext = this.#encryptor.update(padded);
    ciphertext.copy(chain, 0, ciphertext.length - CBC_BLOCK);
    return ciphertext;
  }

  /**
   * The plaintext, or undefined when `ciphertext` is not whole blocks or its
   * PKCS#7 padding is wrong (a wrong key or a corrupted body). Never throws.
   */
  decrypt(iv: Buffer, ciphertext: Buffer): Buffer | undefined {
    const length = ciphertext.length;
    if (length === 0 || length % CBC_BLOCK !== 0) return undefined;
    const plaintext = this.#decryptor.update(ciphertext);
    const chain = this.#decryptChain;
    for (let i = 0; i < CBC_BLOCK; i++) plaintext[i] = (plaintext[i] as number) ^ (iv[i] as number) ^ (chain[i] as number);
    ciphertext.copy(chain, 0, length - CBC_BLOCK);
    const pad = plaintext[length - 1] as number;
    if (pad < 1 || pad > CBC_BLOCK) return undefined;
    for (let i = length - pad; i < length - 1; i++) if (plaintext[i] !== pad) return undefined;
    return plaintext.subarray(0, length - pad);
  }
}
