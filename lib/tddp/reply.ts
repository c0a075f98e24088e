/**
 * Deciding whether a datagram on the reply port answers our request, and
 * turning one that does into a response or a typed error.
 */
import type { RemoteInfo } from 'dgram';
import { TddpCode, TddpStatus, TDDP_V2 } from './constants';
import { decryptBlocks, DES_BLOCK_LENGTH, looksCleanlyDecrypted, stripZeroPadding } from './crypto';
import {
  TddpAddress, TddpDecryptionError, TddpDigestError, TddpError, TddpMalformedPacketError,
  TddpOversizePacketError, TddpShortPacketError, TddpStatusError,
} from './errors';
import { decodePacket, peekIdentity, TddpHeader, TddpParseFailure } from './packet';

export interface TddpResponse {
  header: TddpHeader;
  /** Decrypted data without its zero padding. */
  data: Buffer;
  /** Decrypted data as the header's length says, zero padding included. */
  padded: Buffer;
}

export interface ReplyExpectation {
  /** The device's IP address, as replies will show it. */
  address: string;
  id: number;
  subtype: number;
}

export type DatagramVerdict = { ours: true } | { ours: false; reason: string };

/**
 * A reply is ours when it comes from the device's address, looks like a
 * TDDP reply and carries our packet id. A real device was seen answering
 * an unsupported subtype with packet id 0, so id 0 with our subtype counts
 * too; that is safe because each reply port has one request in flight.
 * Anything else is ignored rather than failing the request: another
 * program or device may be talking to the same port.
 */
export function judgeDatagram(message: Buffer, from: RemoteInfo, expected: ReplyExpectation): DatagramVerdict {
  if (from.address !== expected.address) return notOurs(`from ${from.address}:${from.port}, not from the device`);
  const identity = peekIdentity(message);
  if (!identity) return notOurs(`${message.length}-byte datagram is too short to be a TDDP reply`);
  if (identity.version !== 1 && identity.version !== 2) return notOurs(`not TDDP (version byte ${hex(identity.version, 2)})`);
  if (identity.code !== TddpCode.REPLY) return notOurs(`not a reply (code ${hex(identity.code, 2)})`);
  const idMatches = identity.id === expected.id || (identity.id === 0 && identity.subtype === expected.subtype);
  if (!idMatches) return notOurs(`packet id ${hex(identity.id, 4)}, expected ${hex(expected.id, 4)}`);
  return { ours: true };
}

export interface ReadReplyOptions {
  key: Buffer;
  checkDecryption: boolean;
  address: TddpAddress;
}

export type ReadReplyResult =
  | { ok: true; response: TddpResponse }
  | { ok: false; error: TddpError; header: TddpHeader | undefined };

export function readReply(message: Buffer, options: ReadReplyOptions): ReadReplyResult {
  const parsed = decodePacket(message);
  if (!parsed.ok) return { ok: false, error: parseError(parsed.error, options.address), header: parsed.error.header };
  const { header, data } = parsed.packet;
  const fail = (error: TddpError): ReadReplyResult => ({ ok: false, error, header });
  if (header.status !== TddpStatus.OK) return fail(new TddpStatusError(header, options.address));
  if (header.version !== TDDP_V2) return { ok: true, response: { header, data, padded: data } };
  if (data.length % DES_BLOCK_LENGTH !== 0) {
    return fail(new TddpDecryptionError(`encrypted data is ${data.length} bytes, not a multiple of ${DES_BLOCK_LENGTH}`, options.address, header));
  }
  const padded = decryptBlocks(options.key, data);
  if (options.checkDecryption && !looksCleanlyDecrypted(padded)) {
    return fail(new TddpDecryptionError(
      'data did not decrypt cleanly with these credentials (wrong username/password?)', options.address, header, padded,
    ));
  }
  return { ok: true, response: { header, data: stripZeroPadding(padded), padded } };
}

function parseError(failure: TddpParseFailure, address: TddpAddress): TddpError {
  switch (failure.reason) {
    case 'short': return new TddpShortPacketError(`reply ${failure.message}`, address, failure.header);
    case 'oversize': return new TddpOversizePacketError(`reply ${failure.message}`, address, failure.header);
    case 'digest': return new TddpDigestError(`reply ${failure.message}`, address, failure.header);
    case 'version': return new TddpMalformedPacketError(`reply ${failure.message}`, address, failure.header);
  }
}

function notOurs(reason: string): DatagramVerdict {
  return { ours: false, reason };
}

export function hex(value: number, digits: number): string {
  return value.toString(16).padStart(digits, '0');
}
