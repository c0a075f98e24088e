/**
 * TDDP packet layout (all big-endian):
 *
 *   0 version u8 | 1 type u8 | 2 code u8 | 3 status u8 | 4 length u32
 *   8 packet id u16 | 10 subtype u8 | 11 reserved u8
 *  12 MD5 digest, 16 bytes (version 2 only)
 *  then `length` bytes of data, exactly as sent (encrypted in version 2).
 *
 * The digest is the MD5 of the whole packet with the digest field zeroed.
 * Decoding never throws: it returns a result, because replies come from the
 * network and a malformed one is an expected event, not a bug.
 */
import { createHash } from 'crypto';
import {
  DIGEST_LENGTH, DIGEST_OFFSET, MAX_DATAGRAM_LENGTH, TddpCode, TddpStatus,
  TDDP_V1, TDDP_V2, TddpVersion, V1_HEADER_LENGTH, V2_HEADER_LENGTH,
} from './constants';

export interface TddpHeader {
  version: TddpVersion;
  type: number;
  code: number;
  status: number;
  /** Bytes of data on the wire (for version 2 a multiple of 8: the encrypted, padded size). */
  length: number;
  id: number;
  subtype: number;
  reserved: number;
  /** Version 2 only. */
  digest: Buffer | undefined;
}

export interface TddpPacket {
  header: TddpHeader;
  /** The data as on the wire: encrypted for version 2. */
  data: Buffer;
}

export interface TddpPacketFields {
  version?: TddpVersion;
  type: number;
  code?: number;
  status?: number;
  id: number;
  subtype: number;
  reserved?: number;
  /** Data exactly as it is to be sent (already encrypted for version 2). */
  data?: Uint8Array;
}

export type TddpParseFailureReason = 'short' | 'oversize' | 'version' | 'digest';

export interface TddpParseFailure {
  reason: TddpParseFailureReason;
  message: string;
  /** Present when the header itself could be read. */
  header?: TddpHeader;
}

export type TddpParseResult = { ok: true; packet: TddpPacket } | { ok: false; error: TddpParseFailure };

/** The fields needed to decide whom a datagram is for, readable even from a damaged packet. */
export interface TddpIdentity {
  version: number;
  code: number;
  status: number;
  id: number;
  subtype: number;
}

const ZERO_DIGEST = Buffer.alloc(DIGEST_LENGTH);

export function headerLength(version: TddpVersion): number {
  return version === TDDP_V2 ? V2_HEADER_LENGTH : V1_HEADER_LENGTH;
}

export function maxDataLength(version: TddpVersion): number {
  return MAX_DATAGRAM_LENGTH - headerLength(version);
}

/** MD5 over the packet with its digest field taken as zero. */
export function computeDigest(packet: Uint8Array): Buffer {
  const md5 = createHash('md5');
  md5.update(packet.subarray(0, DIGEST_OFFSET));
  md5.update(ZERO_DIGEST);
  md5.update(packet.subarray(DIGEST_OFFSET + DIGEST_LENGTH));
  return md5.digest();
}

export function encodePacket(fields: TddpPacketFields): Buffer {
  const version = fields.version ?? TDDP_V2;
  const data = fields.data ?? new Uint8Array(0);
  if (version !== TDDP_V1 && version !== TDDP_V2) throw new RangeError(`TDDP version must be 1 or 2, got ${String(version)}`);
  checkField('type', fields.type, 0xff);
  checkField('code', fields.code ?? TddpCode.REQUEST, 0xff);
  checkField('status', fields.status ?? TddpStatus.OK, 0xff);
  checkField('id', fields.id, 0xffff);
  checkField('subtype', fields.subtype, 0xff);
  checkField('reserved', fields.reserved ?? 0, 0xff);
  if (data.length > maxDataLength(version)) {
    throw new RangeError(`TDDP data of ${data.length} bytes does not fit in one datagram (max ${maxDataLength(version)})`);
  }
  const size = headerLength(version);
  const out = Buffer.alloc(size + data.length);
  out[0] = version;
  out[1] = fields.type;
  out[2] = fields.code ?? TddpCode.REQUEST;
  out[3] = fields.status ?? TddpStatus.OK;
  out.writeUInt32BE(data.length, 4);
  out.writeUInt16BE(fields.id, 8);
  out[10] = fields.subtype;
  out[11] = fields.reserved ?? 0;
  out.set(data, size);
  if (version === TDDP_V2) computeDigest(out).copy(out, DIGEST_OFFSET);
  return out;
}

export interface DecodeOptions {
  /** Check the version 2 digest (default true). */
  verifyDigest?: boolean;
}

export function decodePacket(input: Uint8Array, options: DecodeOptions = {}): TddpParseResult {
  const buf = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (buf.length === 0) return failure('short', 'empty datagram');
  const version = buf[0];
  if (version !== TDDP_V1 && version !== TDDP_V2) {
    return failure('version', `unknown TDDP version ${hex2(version)} (expected 01 or 02)`);
  }
  const size = headerLength(version);
  if (buf.length < size) {
    return failure('short', `${buf.length} bytes, shorter than the ${size}-byte version ${version} header`);
  }
  const header = readHeader(buf, version);
  if (header.length > maxDataLength(version)) {
    return failure('oversize', `header declares ${header.length} bytes of data, more than a datagram can carry`, header);
  }
  const expected = size + header.length;
  if (buf.length < expected) {
    return failure('short', `packet cut short: ${buf.length} bytes, header declares ${expected}`, header);
  }
  if (buf.length > expected) {
    return failure('oversize', `packet too long: ${buf.length} bytes, header declares ${expected}`, header);
  }
  if (version === TDDP_V2 && options.verifyDigest !== false) {
    const digest = computeDigest(buf);
    if (header.digest === undefined || !digest.equals(header.digest)) {
      return failure('digest', `digest mismatch: packet carries ${header.digest?.toString('hex')}, computed ${digest.toString('hex')}`, header);
    }
  }
  return { ok: true, packet: { header, data: Buffer.from(buf.subarray(size, expected)) } };
}

/** Reads the addressing fields of anything at least 11 bytes long, without judging it. */
export function peekIdentity(input: Uint8Array): TddpIdentity | undefined {
  if (input.length < 11) return undefined;
  const buf = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  return { version: buf[0], code: buf[2], status: buf[3], id: buf.readUInt16BE(8), subtype: buf[10] };
}

function readHeader(buf: Buffer, version: TddpVersion): TddpHeader {
  return {
    version,
    type: buf[1],
    code: buf[2],
    status: buf[3],
    length: buf.readUInt32BE(4),
    id: buf.readUInt16BE(8),
    subtype: buf[10],
    reserved: buf[11],
    digest: version === TDDP_V2 ? Buffer.from(buf.subarray(DIGEST_OFFSET, DIGEST_OFFSET + DIGEST_LENGTH)) : undefined,
  };
}

function failure(reason: TddpParseFailureReason, message: string, header?: TddpHeader): TddpParseResult {
  return { ok: false, error: header ? { reason, message, header } : { reason, message } };
}

function checkField(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`TDDP ${name} must be an integer from 0 to ${max}, got ${String(value)}`);
  }
}

function hex2(value: number): string {
  return value.toString(16).padStart(2, '0');
}
