/**
 * The ways real devices misbehave, as data. The server consults the active
 * fault on every reply; this module only describes faults and builds the
 * bad bytes, so each can be tested without a socket.
 */
import { encrypt } from '../classic/cipher';
import { encodeFrame, HEADER_LENGTH } from '../classic/framing';
import type { Params } from './reply-errors';

export type FaultSpec =
  /** The reply frame is written in `chunkSize`-byte writes, `intervalMs` apart (default 1 byte, 1 ms). */
  | { kind: 'split'; chunkSize?: number; intervalMs?: number }
  /** Every reply (TCP and UDP) waits `delayMs` (default 2000). */
  | { kind: 'slow'; delayMs?: number }
  /** Requests are read and applied but never answered. */
  | { kind: 'no-reply' }
  /** The first `bytes` of the reply frame (default: half of it) are written, then the connection ends. */
  | { kind: 'close-mid-frame'; bytes?: number }
  /** Random bytes instead of the reply: framed (valid length, cipher text of non-JSON) or raw. */
  | { kind: 'garbage'; length?: number; framed?: boolean }
  /** The reply's length prefix announces `length` bytes (default 0x7fff_ffff) more than are sent. */
  | { kind: 'oversize-length'; length?: number }
  /** UDP requests are ignored; TCP works. */
  | { kind: 'udp-drop' }
  /** Listeners closed (connection refused); back on the same port after `durationMs`, or at clearFault/online. */
  | { kind: 'offline'; durationMs?: number }
  /** Every method answers `{err_code, err_msg}` (default -1, "module not support"). */
  | { kind: 'err-code'; errCode?: number; errMsg?: string };

export type FaultKind = FaultSpec['kind'];

export const FAULT_KINDS: readonly FaultKind[] = [
  'split', 'slow', 'no-reply', 'close-mid-frame', 'garbage', 'oversize-length', 'udp-drop', 'offline', 'err-code',
];

/**
 * Parses the CLI form `kind[:number]`: `slow:500`, `split:2`, `err-code:-3`,
 * `offline:5000`, `close-mid-frame:6`, `garbage:40`, `oversize-length:100000`.
 */
export function parseFault(text: string): FaultSpec {
  const [kind, arg] = text.split(/:(.*)/s, 2);
  const n = arg === undefined || arg === '' ? undefined : Number(arg);
  if (n !== undefined && !Number.isFinite(n)) throw new Error(`fault "${text}": "${arg}" is not a number`);
  switch (kind) {
    case 'split': return { kind, chunkSize: n };
    case 'slow': return { kind, delayMs: n };
    case 'no-reply': return { kind };
    case 'close-mid-frame': return { kind, bytes: n };
    case 'garbage': return { kind, length: n };
    case 'oversize-length': return { kind, length: n };
    case 'udp-drop': return { kind };
    case 'offline': return { kind, durationMs: n };
    case 'err-code': return { kind, errCode: n };
    default: throw new Error(`unknown fault "${kind}"; known faults: ${FAULT_KINDS.join(', ')}`);
  }
}

/** The reply a device in err-code mode gives: every method of every module fails. */
export function errorReply(request: object, errCode: number, errMsg: string): Params {
  const reply: Params = {};
  for (const [moduleName, methods] of Object.entries(request)) {
    if (moduleName === 'context') continue;
    if (typeof methods !== 'object' || methods === null) {
      reply[moduleName] = { err_code: errCode, err_msg: errMsg };
      continue;
    }
    const inner: Params = {};
    for (const method of Object.keys(methods)) inner[method] = { err_code: errCode, err_msg: errMsg };
    reply[moduleName] = inner;
  }
  return reply;
}

export const DEFAULT_ERR_CODE = -1;
export const DEFAULT_ERR_MSG = 'module not support';

/** Plain text that is never JSON (starts with a byte no JSON text starts with). */
function garbagePlaintext(length: number): Buffer {
  const out = Buffer.alloc(Math.max(1, length));
  for (let i = 0; i < out.length; i++) out[i] = Math.floor(Math.random() * 256);
  out[0] = 0xff;
  return out;
}

/** A TCP reply that decrypts to non-JSON (framed), or raw noise. */
export function garbageFrame(length = 32, framed = true): Buffer {
  if (!framed) return garbagePlaintext(length);
  return encodeFrame(garbagePlaintext(length));
}

export function garbageDatagram(length = 32): Buffer {
  return encrypt(garbagePlaintext(length));
}

/** The reply with its length prefix replaced by `announced`. */
export function oversizeFrame(payload: string, announced = 0x7fff_ffff): Buffer {
  const frame = encodeFrame(payload);
  frame.writeUInt32BE(Math.min(announced, 0xffff_ffff) >>> 0, 0);
  return frame;
}

/** How many bytes of the frame to send before closing: as asked, else past the header, never all of it. */
export function midFrameCut(frameLength: number, bytes?: number): number {
  const wanted = bytes ?? Math.max(HEADER_LENGTH + 1, Math.floor(frameLength / 2));
  return Math.max(1, Math.min(frameLength - 1, wanted));
}
