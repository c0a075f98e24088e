/**
 * The RSA half of the AES securePassthrough handshake. The client offers a
 * fresh 1024-bit public key; the device answers with the session's AES key
 * and IV encrypted to it with PKCS#1 v1.5 padding. Node 20 and 22 refuse
 * `privateDecrypt` with that padding (CVE-2023-46809, the Marvin timing
 * attack), so the ciphertext is decrypted raw (RSA_NO_PADDING) and the
 * padding checked and removed here. The timing concern does not apply: the
 * client decrypts one message per handshake and reveals nothing about
 * padding failures beyond "handshake failed".
 */
import { constants, generateKeyPair, privateDecrypt, publicEncrypt, type KeyObject } from 'node:crypto';

export const HANDSHAKE_RSA_BITS = 1024;
/** 0x00 0x02, at least 8 bytes of non-zero padding, 0x00. */
const MIN_PADDING = 11;

export interface HandshakeKeyPair {
  /** SPKI PEM, as sent in the handshake's `params.key`. */
  readonly publicKeyPem: string;
  readonly privateKey: KeyObject;
}

export function createHandshakeKeyPair(bits = HANDSHAKE_RSA_BITS): Promise<HandshakeKeyPair> {
  return new Promise((resolve, reject) => {
    generateKeyPair('rsa', { modulusLength: bits, publicExponent: 65537 }, (error, publicKey, privateKey) => {
      if (error) return reject(error);
      resolve({ publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), privateKey });
    });
  });
}

/**
 * Removes PKCS#1 v1.5 encryption padding (type 2) from a raw RSA block:
 * 0x00 0x02 PS 0x00 M, PS at least 8 non-zero bytes. Undefined when the
 * block is not padded so.
 */
export function unpadPkcs1Type2(block: Buffer): Buffer | undefined {
  if (block.length < MIN_PADDING || block[0] !== 0x00 || block[1] !== 0x02) return undefined;
  const separator = block.indexOf(0x00, 2);
  if (separator < 0 || separator - 2 < 8) return undefined;
  return block.subarray(separator + 1);
}

/** Decrypts a PKCS#1 v1.5 ciphertext; undefined when it is not one for this key. Never throws. */
export function decryptPkcs1(privateKey: KeyObject, ciphertext: Buffer): Buffer | undefined {
  let block: Buffer;
  try {
    block = privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, ciphertext);
  } catch {
    return undefined; // wrong length, or a number not below the modulus
  }
  return unpadPkcs1Type2(block);
}

/** The device's side (simulator): Node still allows PKCS#1 v1.5 for encryption. */
export function encryptPkcs1(publicKeyPem: string, plaintext: Buffer): Buffer {
  return publicEncrypt({ key: publicKeyPem, padding: constants.RSA_PKCS1_PADDING }, plaintext);
}
