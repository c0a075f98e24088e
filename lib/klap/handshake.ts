/**
 * The two-step KLAP handshake: handshake1 proves the device knows one of
 * our candidate auth_hashes (and tells us which protocol version it speaks),
 * handshake2 proves it to the device and opens the session cookie.
 */
import { randomBytes } from 'node:crypto';
import { AuthenticationError, ProtocolError, type DeviceAddress } from '../errors';
import { authCandidates, handshake2ClientHash, matchServerHash, type KlapCredentials, type KlapVersion } from './auth';
import { readCookies, type PostReply } from './http';
import { deriveSessionKeys, KlapClientSession } from './session';

export const SESSION_COOKIE = 'TP_SESSIONID';
export const TIMEOUT_COOKIE = 'TIMEOUT';
const DEFAULT_TIMEOUT_SECONDS = 86_400;
/** Device clocks drift; python-kasa stops using a session 20 minutes early. */
const EXPIRY_MARGIN_SECONDS = 20 * 60;

/**
 * The device has no KLAP endpoint (handshake1 answered 404): SMART devices
 * on older firmware speak AES securePassthrough instead. Nothing was sent.
 */
export class KlapUnsupportedError extends ProtocolError {
  constructor(address: DeviceAddress) {
    super('handshake1 answered HTTP 404: the device does not speak KLAP (SMART devices on older firmware use AES securePassthrough)', address);
  }
}

export type Post = (path: string, body: Buffer, cookie?: string) => Promise<PostReply>;

export interface HandshakeResult {
  session: KlapClientSession;
  version: KlapVersion;
  /** "TP_SESSIONID=..." to send back, or undefined when the device set none. */
  cookie: string | undefined;
  /** Monotonic ms (performance.now()) after which a new handshake is due. */
  expiresAt: number;
}

export interface HandshakeOptions {
  address: DeviceAddress;
  credentials: KlapCredentials;
  /** Versions to accept, preferred first. */
  versions: readonly KlapVersion[];
  /** Injected for fixed-seed tests; random 16 bytes otherwise. */
  localSeed?: Buffer;
  now?: () => number;
}

export async function performHandshake(post: Post, options: HandshakeOptions): Promise<HandshakeResult> {
  const { address } = options;
  const localSeed = options.localSeed ?? randomBytes(16);
  const reply1 = await post('/app/handshake1', localSeed);
  if (reply1.status === 404) throw new KlapUnsupportedError(address);
  if (reply1.status !== 200) {
    throw new ProtocolError(`handshake1 answered HTTP ${reply1.status}`, address);
  }
  if (reply1.body.length !== 48) {
    throw new ProtocolError(`handshake1 reply is ${reply1.body.length} bytes, expected 16 (seed) + 32 (hash)`, address);
  }
  const remoteSeed = reply1.body.subarray(0, 16);
  const serverHash = reply1.body.subarray(16);
  const match = matchServerHash(authCandidates(options.credentials, options.versions), localSeed, remoteSeed, serverHash);
  if (!match) {
    const tried = options.versions.map((v) => `v${v}`).join('/');
    throw new AuthenticationError(
      `KLAP ${tried} handshake: the device's hash matches none of the configured, default or blank credentials; ` +
        'check the TP-Link cloud e-mail and password (both case-sensitive)',
      address,
    );
  }

  const cookies = readCookies(reply1.setCookie);
  const sessionId = cookies.get(SESSION_COOKIE);
  const cookie = sessionId === undefined ? undefined : `${SESSION_COOKIE}=${sessionId}`;
  const reply2 = await post('/app/handshake2', handshake2ClientHash(match.version, localSeed, remoteSeed, match.auth), cookie);
  if (reply2.status !== 200) {
    // The hash was checked in handshake1, so this is not a credentials problem.
    throw new ProtocolError(`handshake2 answered HTTP ${reply2.status}`, address);
  }
  const now = options.now ?? (() => performance.now());
  return {
    session: new KlapClientSession(deriveSessionKeys(localSeed, remoteSeed, match.auth)),
    version: match.version,
    cookie,
    expiresAt: now() + usableSessionSeconds(cookies.get(TIMEOUT_COOKIE)) * 1000,
  };
}

/** How long to use a session the device granted for `timeout` seconds (the TIMEOUT cookie; KLAP and SMART AES alike). */
export function usableSessionSeconds(timeout: string | undefined): number {
  const granted = Number(timeout);
  const seconds = Number.isFinite(granted) && granted > 0 ? granted : DEFAULT_TIMEOUT_SECONDS;
  // Short sessions (simulators, tests) keep half their life rather than going negative.
  return Math.max(seconds - EXPIRY_MARGIN_SECONDS, seconds / 2);
}
