/**
 * TCP framing: a 4-byte big-endian length, then the cipher text.
 * UDP datagrams carry the cipher text alone.
 */
import { decrypt, decryptInPlace, encryptInPlace, encryptShortAscii, toOwnedBuffer, INITIAL_KEY, type Plaintext } from './cipher';

export const HEADER_LENGTH = 4;
export const DEFAULT_MAX_FRAME_LENGTH = 1024 * 1024;
/** Below this many characters an ASCII request is encrypted without the UTF-8 encoder. */
const SHORT_TEXT = 256;

/** Encrypts `payload` into a TCP frame, header included, in one allocation. */
export function encodeFrame(payload: Plaintext): Buffer {
  if (typeof payload === 'string' && payload.length < SHORT_TEXT) {
    const short = encryptShortAscii(payload, INITIAL_KEY, HEADER_LENGTH);
    if (short) {
      short.writeUInt32BE(payload.length, 0);
      return short;
    }
  }
  const frame = toOwnedBuffer(payload, HEADER_LENGTH);
  frame.writeUInt32BE(frame.length - HEADER_LENGTH, 0);
  encryptInPlace(frame, HEADER_LENGTH, frame.length);
  return frame;
}

export type DecodedFrames =
  | { ok: true; frames: Buffer[] }
  | { ok: false; frames: Buffer[]; error: FrameError };

export class FrameError extends Error {
  readonly length: number;
  readonly limit: number;
  constructor(length: number, limit: number) {
    super(`frame length ${length} exceeds the limit of ${limit} bytes`);
    this.name = 'FrameError';
    this.length = length;
    this.limit = limit;
  }
}

/**
 * Reassembles frames from a TCP byte stream, whatever the chunking, and
 * returns their decrypted payloads. It never throws: an oversize length is
 * reported as an error and the decoder stops accepting input (the stream
 * can no longer be trusted to be in sync).
 */
export class FrameDecoder {
  readonly maxFrameLength: number;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private expected = -1;
  private failed: FrameError | undefined;

  constructor(maxFrameLength: number = DEFAULT_MAX_FRAME_LENGTH) {
    this.maxFrameLength = maxFrameLength;
  }

  /** Bytes held while waiting for the rest of a frame. */
  get pendingBytes(): number {
    return this.buffered;
  }

  /** The length announced by the frame being received, or -1 between frames. */
  get expectedLength(): number {
    return this.expected;
  }

  push(chunk: Buffer): DecodedFrames {
    const frames: Buffer[] = [];
    if (this.failed) return { ok: false, frames, error: this.failed };
    if (chunk.length === 0) return { ok: true, frames };
    if (this.buffered === 0 && chunk.length >= HEADER_LENGTH) {
      // The usual case: a read that holds exactly one whole reply.
      const length = chunk.readUInt32BE(0);
      if (length <= this.maxFrameLength && chunk.length === HEADER_LENGTH + length) {
        frames.push(decrypt(chunk.subarray(HEADER_LENGTH)));
        return { ok: true, frames };
      }
    }
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.expected < 0) {
        if (this.buffered < HEADER_LENGTH) break;
        const length = this.peekLength();
        if (length > this.maxFrameLength) {
          this.failed = new FrameError(length, this.maxFrameLength);
          this.chunks = [];
          this.buffered = 0;
          return { ok: false, frames, error: this.failed };
        }
        this.expected = length;
      }
      if (this.buffered < HEADER_LENGTH + this.expected) break;
      frames.push(this.take(HEADER_LENGTH + this.expected));
      this.expected = -1;
    }
    return { ok: true, frames };
  }

  reset(): void {
    this.chunks = [];
    this.buffered = 0;
    this.expected = -1;
    this.failed = undefined;
  }

  private peekLength(): number {
    const first = this.chunks[0];
    if (first.length >= HEADER_LENGTH) return first.readUInt32BE(0);
    const head = Buffer.concat(this.chunks, HEADER_LENGTH);
    return head.readUInt32BE(0);
  }

  /** Removes `total` bytes (header + payload) and returns the decrypted payload. */
  private take(total: number): Buffer {
    const first = this.chunks[0];
    let payload: Buffer;
    if (first.length >= total) {
      payload = Buffer.allocUnsafe(total - HEADER_LENGTH);
      first.copy(payload, 0, HEADER_LENGTH, total);
      if (first.length === total) this.chunks.shift();
      else this.chunks[0] = first.subarray(total);
    } else {
      payload = Buffer.allocUnsafe(total - HEADER_LENGTH);
      let skip = HEADER_LENGTH;
      let written = 0;
      let need = total;
      while (need > 0) {
        const chunk = this.chunks[0];
        const use = Math.min(chunk.length, need);
        const from = Math.min(skip, use);
        if (use > from) {
          chunk.copy(payload, written, from, use);
          written += use - from;
        }
        skip -= from;
        need -= use;
        if (use === chunk.length) this.chunks.shift();
        else this.chunks[0] = chunk.subarray(use);
      }
    }
    this.buffered -= total;
    decryptInPlace(payload, 0, payload.length);
    return payload;
  }
}

/** Encrypts a UDP datagram (no length prefix). */
export function encodeDatagram(payload: Plaintext): Buffer {
  const out = toOwnedBuffer(payload, 0);
  encryptInPlace(out, 0, out.length);
  return out;
}

/** Decrypts a UDP datagram into a new Buffer. */
export function decodeDatagram(datagram: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(datagram.length);
  out.set(datagram);
  decryptInPlace(out, 0, out.length);
  return out;
}
