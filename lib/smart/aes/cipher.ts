/**
 * The securePassthrough session cipher: AES-128-CBC with PKCS#7 padding,
 * one key and one IV for the whole session (the device chose both), the
 * ciphertext carried as base64 inside JSON. Key and IV live in private
 * fields so that util.inspect, Node-RED's debug pane and logs never show them.
 * The cipher objects are made once per session (lib/klap/cbc.ts says why).
 */
import { ReusableCbc } from '../../klap/cbc';

export const AES_KEY_LENGTH = 16;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
/** The largest decoding room a cipher keeps between replies; a larger reply gets room of its own. */
const MAX_KEPT_ROOM = 16 * 1024;
const NO_ROOM = Buffer.alloc(0);

export class AesSessionCipher {
  readonly #key: Buffer;
  readonly #iv: Buffer;
  readonly #cbc: ReusableCbc;
  /**
   * Where each reply's base64 is decoded: the ciphertext is read by the
   * decryptor and dropped at once, and decoding into a new Buffer each time
   * (Buffer.from) cost several times the decoding itself (586 against 88 ns
   * for a get_device_info reply on Node 20).
   */
  #room: Buffer = NO_ROOM;

  /** `keyAndIv`: the 32 bytes the device sent in its handshake reply (key, then IV). */
  constructor(keyAndIv: Buffer) {
    if (keyAndIv.length !== 2 * AES_KEY_LENGTH) throw new RangeError(`expected 32 bytes of key and IV, got ${keyAndIv.length}`);
    this.#key = Buffer.from(keyAndIv.subarray(0, AES_KEY_LENGTH));
    this.#iv = Buffer.from(keyAndIv.subarray(AES_KEY_LENGTH));
    this.#cbc = new ReusableCbc(this.#key);
  }

  /** Copies, for the debug hook that lets a dissector decrypt a capture. */
  exportKeys(): { key: Buffer; iv: Buffer } {
    return { key: Buffer.from(this.#key), iv: Buffer.from(this.#iv) };
  }

  encrypt(plaintext: Buffer): string {
    return this.#cbc.encrypt(this.#iv, plaintext).toString('base64');
  }

  /** Undefined when the text is not base64 of whole blocks that decrypt with valid padding. Never throws. */
  decrypt(base64: string): Buffer | undefined {
    // Decoded as Buffer.from would: into room for the length the text can give at most.
    const most = Buffer.byteLength(base64, 'base64');
    const room = most <= this.#room.length ? this.#room : this.#newRoom(most);
    const ciphertext = room.subarray(0, room.write(base64, 0, most, 'base64'));
    // Node's decoder skips what is not base64, so the text is checked too: comparing it
    // with the canonical encoding settles what devices send; the pattern settles the rest.
    if (ciphertext.toString('base64') !== base64 && !BASE64.test(base64)) return undefined;
    return this.#cbc.decrypt(this.#iv, ciphertext);
  }

  #newRoom(size: number): Buffer {
    const room = Buffer.allocUnsafe(size);
    if (size <= MAX_KEPT_ROOM) this.#room = room;
    return room;
  }
}
