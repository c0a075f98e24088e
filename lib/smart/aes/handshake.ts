/**
 * The AES securePassthrough handshake and login, as steps the transport
 * composes: the RSA handshake that yields the session cipher and cookie,
 * one securePassthrough exchange, and login_device for one account.
 */
import { ProtocolError, type DeviceAddress } from '../../errors';
import { readCookies, type PostReply } from '../../klap/http';
import { SESSION_COOKIE, TIMEOUT_COOKIE, usableSessionSeconds } from '../../klap/handshake';
import type { KlapCredentials } from '../../klap/auth';
import { describeSmartErrorCode, SUCCESS, TRANSPORT_UNKNOWN_CREDENTIALS } from '../error-codes';
import { smartErrorFor, SmartTransportMismatchError } from '../errors';
import { AesSessionCipher } from './cipher';
import { loginParams, plainSuccessResponse, readHandshakeReply, readLoginReply, readPassthroughReply, type LoginVersion } from './envelope';
import { createHandshakeKeyPair, decryptPkcs1, type HandshakeKeyPair } from './rsa';

/** Posts a JSON body to a path of the device; `cookie` is "TP_SESSIONID=...". */
export type JsonPost = (path: string, body: string, cookie: string | undefined) => Promise<PostReply>;

export interface AesHandshake {
  cipher: AesSessionCipher;
  /** "TP_SESSIONID=..." to send back, undefined when the device set none. */
  cookie: string | undefined;
  /** Monotonic ms (performance.now()) after which a new handshake is due. */
  expiresAt: number;
}

let sharedKeyPair: Promise<HandshakeKeyPair> | undefined;

/**
 * One key pair per process: it only protects the session key on its way
 * from the device, and generating a 1024-bit key costs milliseconds of CPU
 * per handshake that a fleet of devices would otherwise pay again and again.
 */
export function handshakeKeyPair(): Promise<HandshakeKeyPair> {
  sharedKeyPair ??= createHandshakeKeyPair().catch((error: unknown) => {
    sharedKeyPair = undefined;
    throw error;
  });
  return sharedKeyPair;
}

export async function performAesHandshake(post: JsonPost, address: DeviceAddress, now: () => number): Promise<AesHandshake> {
  const keyPair = await handshakeKeyPair();
  const reply = await post('/app', JSON.stringify({ method: 'handshake', params: { key: keyPair.publicKeyPem } }), undefined);
  if (reply.status !== 200) throw new ProtocolError(`AES handshake answered HTTP ${reply.status}`, address);
  const { errorCode, key } = readHandshakeReply(reply.body.toString('utf8'), address);
  if (errorCode === TRANSPORT_UNKNOWN_CREDENTIALS) {
    throw new SmartTransportMismatchError('the device refused the AES handshake with error_code 1003: it speaks KLAP', 'klap', address, errorCode);
  }
  if (errorCode !== SUCCESS) throw smartErrorFor(errorCode, { method: 'handshake', address });
  if (key === undefined) throw new ProtocolError('AES handshake reply has no result.key', address);
  const keyAndIv = decryptPkcs1(keyPair.privateKey, Buffer.from(key, 'base64'));
  if (keyAndIv?.length !== 32) throw new ProtocolError('AES handshake key could not be decrypted with our RSA key (expected 32 bytes of key and IV)', address);
  const cookies = readCookies(reply.setCookie);
  // Some firmware names the cookie SESSIONID.
  const sessionId = cookies.get(SESSION_COOKIE) ?? cookies.get('SESSIONID');
  return {
    cipher: new AesSessionCipher(keyAndIv),
    cookie: sessionId === undefined ? undefined : `${SESSION_COOKIE}=${sessionId}`,
    expiresAt: now() + usableSessionSeconds(cookies.get(TIMEOUT_COOKIE)) * 1000,
  };
}

/** What one securePassthrough exchange gave: the decrypted inner reply, or why not. */
export type PassthroughOutcome =
  | { ok: true; plaintext: Buffer }
  | { ok: false; error: Error; sessionLost: boolean; notRun: boolean };

const PASSTHROUGH_HEAD = '{"method":"securePassthrough","params":{"request":"';
const PASSTHROUGH_TAIL = '"}}';

/**
 * The securePassthrough request carrying `request`. Base64 needs no JSON
 * escaping, so the envelope is joined around it (the text JSON.stringify
 * would give): this runs for every request.
 */
export function passthroughBody(session: AesHandshake, request: Buffer): string {
  return `${PASSTHROUGH_HEAD}${session.cipher.encrypt(request)}${PASSTHROUGH_TAIL}`;
}

const PASSTHROUGH_HEAD_BYTES = Buffer.from(PASSTHROUGH_HEAD, 'latin1');
const PASSTHROUGH_TAIL_BYTES = Buffer.from(PASSTHROUGH_TAIL, 'latin1');

/**
 * passthroughBody() as bytes, the base64 written straight into them (one
 * byte per character) between the envelope's two ends, copied as bytes:
 * joining the text first made a string more per request, and writing the
 * ends as text each time cost 374 ns against 202 (a get_device_info request).
 */
export function passthroughBytes(session: AesHandshake, request: Buffer): Buffer {
  const encrypted = session.cipher.encrypt(request);
  const head = PASSTHROUGH_HEAD_BYTES;
  const bytes = Buffer.allocUnsafe(head.length + encrypted.length + PASSTHROUGH_TAIL_BYTES.length);
  bytes.set(head, 0);
  bytes.set(PASSTHROUGH_TAIL_BYTES, head.length + bytes.write(encrypted, head.length, 'latin1'));
  return bytes;
}

export async function passthrough(post: JsonPost, session: AesHandshake, path: string, request: Buffer, address: DeviceAddress): Promise<PassthroughOutcome> {
  return readPassthrough(await post(path, passthroughBody(session, request), session.cookie), session, address);
}

/** What a securePassthrough reply says: the decrypted inner reply, or why not. Never throws. */
export function readPassthrough(reply: PostReply, session: AesHandshake, address: DeviceAddress): PassthroughOutcome {
  // The everyday reply, read without parsing its envelope; anything else takes the full reader below.
  const plain = reply.status === 200 ? plainSuccessResponse(reply.body) : undefined;
  const decrypted = plain === undefined ? undefined : session.cipher.decrypt(plain);
  if (decrypted) return { ok: true, plaintext: decrypted };
  if (reply.status !== 200) {
    return { ok: false, error: new ProtocolError(`securePassthrough answered HTTP ${reply.status}`, address), sessionLost: true, notRun: false };
  }
  let envelope;
  try {
    envelope = readPassthroughReply(reply.body.toString('utf8'), address);
  } catch (error) {
    return { ok: false, error: error as Error, sessionLost: true, notRun: false };
  }
  if (envelope.errorCode !== SUCCESS) {
    // A session or credentials code on the envelope: the inner request was never opened.
    const category = describeSmartErrorCode(envelope.errorCode).category;
    const lost = category === 'session' || category === 'auth';
    return { ok: false, error: smartErrorFor(envelope.errorCode, { method: 'securePassthrough', address }), sessionLost: lost, notRun: lost };
  }
  if (envelope.response === undefined) {
    return { ok: false, error: new ProtocolError('securePassthrough reply has no result.response', address), sessionLost: true, notRun: false };
  }
  const plaintext = session.cipher.decrypt(envelope.response) ?? plainJson(envelope.response);
  if (plaintext) return { ok: true, plaintext };
  return { ok: false, error: new ProtocolError('securePassthrough reply could not be decrypted with the session key', address), sessionLost: true, notRun: false };
}

/** Some firmware answers an unencrypted JSON object inside the envelope (python-kasa accepts it too). */
function plainJson(response: string): Buffer | undefined {
  return response.trimStart().startsWith('{') ? Buffer.from(response, 'utf8') : undefined;
}

export type LoginOutcome = { ok: true; token: string } | { ok: false; errorCode: number };

/** login_device for one account; a refusal is an outcome, anything else (no reply, bad reply) throws. */
export async function login(post: JsonPost, session: AesHandshake, version: LoginVersion, credentials: KlapCredentials, address: DeviceAddress): Promise<LoginOutcome> {
  const request = { method: 'login_device', params: loginParams(version, credentials), request_time_milis: Date.now() };
  const outcome = await passthrough(post, session, '/app', Buffer.from(JSON.stringify(request), 'utf8'), address);
  if (!outcome.ok) {
    const code = (outcome.error as { errCode?: unknown }).errCode;
    if (outcome.notRun && typeof code === 'number') return { ok: false, errorCode: code };
    throw outcome.error;
  }
  const reply = readLoginReply(outcome.plaintext.toString('utf8'), address);
  if (reply.errorCode !== SUCCESS) return { ok: false, errorCode: reply.errorCode };
  if (!reply.token) throw new ProtocolError('login_device reply has no result.token', address);
  return { ok: true, token: reply.token };
}
