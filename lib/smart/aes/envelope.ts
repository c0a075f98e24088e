/**
 * The JSON around the encrypted payload of the AES securePassthrough
 * transport: the handshake reply, the passthrough reply and the login
 * reply, each read against its expected shape at the boundary. A reply of
 * another shape is a ProtocolError that says what was wrong; nothing from
 * the device is used unchecked.
 */
import { createHash } from 'node:crypto';
import { JsonShapeError, parseBoundedJson, shape } from '../../json';
import { ProtocolError, type DeviceAddress } from '../../errors';
import type { KlapCredentials } from '../../klap/auth';

export type LoginVersion = 1 | 2;

const errorCode = shape.integer;

const handshakeReply = shape.object({
  error_code: errorCode,
  result: shape.optional(shape.object({ key: shape.string })),
});

const passthroughReply = shape.object({
  error_code: errorCode,
  result: shape.optional(shape.object({ response: shape.string })),
});

const loginReply = shape.object({
  error_code: errorCode,
  result: shape.optional(shape.object({ token: shape.string })),
});


function readEnvelope<T>(reader: shape.Reader<T>, text: string, what: string, address: DeviceAddress): T {
  try {
    return shape.read(reader, parseBoundedJson(text), '');
  } catch (error) {
    if (error instanceof JsonShapeError) throw new ProtocolError(`${what}: ${error.message}`, address, error);
    throw error;
  }
}

/** `{error_code, result: {key}}`: the key is present when error_code is 0. */
export function readHandshakeReply(text: string, address: DeviceAddress): { errorCode: number; key: string | undefined } {
  const reply = readEnvelope(handshakeReply, text, 'handshake reply', address);
  return { errorCode: reply.error_code, key: reply.result?.key };
}

const SUCCESS_HEAD = Buffer.from('{"error_code":0,"result":{"response":"', 'latin1');
const SUCCESS_TAIL = Buffer.from('"}}', 'latin1');

/**
 * The response of a successful securePassthrough reply written exactly as
 * devices write it, without parsing the JSON around it; undefined for any
 * other text. The caller must still find the response to be base64 (the
 * session cipher checks it): base64 needs no escapes, so then the text is
 * that JSON object and nothing else, and the full reader would give the same.
 */
export function plainSuccessResponse(body: Buffer): string | undefined {
  const end = body.length - SUCCESS_TAIL.length;
  if (end < SUCCESS_HEAD.length) return undefined;
  if (!bytesAt(body, 0, SUCCESS_HEAD) || !bytesAt(body, end, SUCCESS_TAIL)) return undefined;
  return body.toString('latin1', SUCCESS_HEAD.length, end);
}

/** True when `part` lies in `bytes` at `at`: compared byte by byte, for these few bytes cheaper than Buffer.compare's native call. */
function bytesAt(bytes: Buffer, at: number, part: Buffer): boolean {
  for (let i = 0; i < part.length; i++) if (bytes[at + i] !== part[i]) return false;
  return true;
}

export function readPassthroughReply(text: string, address: DeviceAddress): { errorCode: number; response: string | undefined } {
  const reply = readEnvelope(passthroughReply, text, 'securePassthrough reply', address);
  return { errorCode: reply.error_code, response: reply.result?.response };
}

export function readLoginReply(text: string, address: DeviceAddress): { errorCode: number; token: string | undefined } {
  const reply = readEnvelope(loginReply, text, 'login_device reply', address);
  return { errorCode: reply.error_code, token: reply.result?.token };
}

function sha1Hex(text: string): string {
  return createHash('sha1').update(text, 'utf8').digest('hex');
}

function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/**
 * login_device parameters. Version 1: the e-mail as base64 of its SHA-1 in
 * hex, the password as base64; version 2: the password as base64 of its
 * SHA-1 in hex, under `password2`.
 */
export function loginParams(version: LoginVersion, credentials: KlapCredentials): Record<string, string> {
  const username = base64(sha1Hex(credentials.username));
  return version === 2
    ? { username, password2: base64(sha1Hex(credentials.password)) }
    : { username, password: base64(credentials.password) };
}
