/**
 * The AES securePassthrough endpoint of a simulated SMART device, behaving
 * like Tapo firmware before KLAP: POST /app takes the RSA handshake (HTTP
 * 500 without a Content-Length, as some firmware does), then
 * securePassthrough calls whose inner JSON is login_device (version 1 or 2
 * parameters, -1501 for a wrong account, after which the session is gone)
 * or, with the login token in /app?token=..., any SMART method for the
 * device's handler. A session unknown, expired or not logged in is
 * answered with error_code 9999. /app/handshake1 does not exist (404), so
 * a client that tries KLAP first falls back, as against a real device.
 */
import { createHash, randomBytes } from 'node:crypto';
import { isJsonObject, parseBoundedJson, type JsonObject } from '../../json';
import { AesSessionCipher } from '../../smart/aes/cipher';
import { encryptPkcs1 } from '../../smart/aes/rsa';
import { JSON_DECODE_FAIL, LOGIN_ERROR, SESSION_TIMEOUT } from '../../smart/error-codes';
import { andThen, startHttpEndpoint, type EndpointReply, type HttpEndpoint, type HttpRequest } from './http-endpoint';
import { queryParam } from './http-request';
import { HttpSessionTable, type EncryptedEndpointOptions } from './http-sessions';

/** The session TIMEOUT is 1440 s unless set, as real devices grant. */
export interface AesServerOptions extends EncryptedEndpointOptions {
  /** The login_device parameters the device takes: 1 (password) or 2 (password2). */
  loginVersion: 1 | 2;
  /** Answer HTTP 500 to a handshake without Content-Length (default true, as some firmware). */
  requireContentLength?: boolean;
}

export interface AesServerStats {
  handshakes: number;
  logins: number;
  failedLogins: number;
  requests: number;
  /** Passthrough calls answered 9999 (no, expired or not logged-in session). */
  sessionRefusals: number;
}

export interface AesServer {
  readonly host: string;
  readonly port: number;
  readonly stats: AesServerStats;
  /** Forgets every session, as a device does when its TIMEOUT passes or it reboots. */
  expireSessions(): void;
  close(): Promise<void>;
}

interface AesSession {
  cipher: AesSessionCipher;
  token: string | undefined;
  /** The last reply text sealed in this session, and its securePassthrough reply. */
  lastReply?: string;
  lastSealed?: string;
}

/**
 * The securePassthrough reply around a reply text, as
 * JSON.stringify({error_code: 0, result: {response}}) writes it (base64
 * needs no escaping). One key and one IV for the whole session make the
 * same text the same ciphertext, so a client polling an unchanged state
 * (get_device_info, over and over) gets the last reply again without
 * encrypting and encoding it anew.
 */
function passthroughReply(session: AesSession, text: string): string {
  if (text !== session.lastReply || session.lastSealed === undefined) {
    session.lastSealed = `{"error_code":0,"result":{"response":"${session.cipher.encrypt(Buffer.from(text, 'utf8'))}"}}`;
    session.lastReply = text;
  }
  return session.lastSealed;
}

function sha1Hex(text: string): string {
  return createHash('sha1').update(text, 'utf8').digest('hex');
}

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

export async function startAesServer(options: AesServerOptions): Promise<AesServer> {
  const sessions = new HttpSessionTable<AesSession>(options.sessionTimeoutSeconds ?? 1440);
  const stats: AesServerStats = { handshakes: 0, logins: 0, failedLogins: 0, requests: 0, sessionRefusals: 0 };
  const account = { username: options.username ?? '', password: options.password ?? '' };
  const expected: JsonObject = options.loginVersion === 2
    ? { username: b64(sha1Hex(account.username)), password2: b64(sha1Hex(account.password)) }
    : { username: b64(sha1Hex(account.username)), password: b64(account.password) };

  const handshake = (params: JsonObject): { status: number; body: JsonObject; headers?: Record<string, string> } => {
    if (typeof params.key !== 'string') return { status: 200, body: { error_code: -1010 } };
    const keyAndIv = randomBytes(32);
    let encrypted: Buffer;
    try {
      encrypted = encryptPkcs1(params.key, keyAndIv);
    } catch {
      return { status: 200, body: { error_code: -1010 } };
    }
    const { headers } = sessions.open({ cipher: new AesSessionCipher(keyAndIv), token: undefined });
    stats.handshakes += 1;
    return { status: 200, body: { error_code: 0, result: { key: encrypted.toString('base64') } }, headers };
  };

  const loginDevice = (id: string, session: AesSession, params: unknown): JsonObject => {
    const ok = isJsonObject(params) && Object.keys(expected).every((key) => params[key] === expected[key]);
    if (!ok) {
      stats.failedLogins += 1;
      sessions.delete(id); // the device wants a new handshake after a failed login
      return { error_code: LOGIN_ERROR };
    }
    stats.logins += 1;
    session.token = randomBytes(16).toString('hex').toUpperCase();
    return { error_code: 0, result: { token: session.token } };
  };

  const securePassthrough = (req: HttpRequest, params: JsonObject): EndpointReply | Promise<EndpointReply> => {
    const found = sessions.find(req);
    if (!found) {
      stats.sessionRefusals += 1;
      return { status: 200, json: { error_code: SESSION_TIMEOUT } };
    }
    const [id, session] = found;
    const plaintext = typeof params.request === 'string' ? session.cipher.decrypt(params.request) : undefined;
    if (!plaintext) return { status: 200, json: { error_code: -1005 } };
    const text = plaintext.toString('utf8');
    let inner: unknown;
    try {
      inner = parseBoundedJson(text);
    } catch {
      inner = undefined;
    }
    let reply: string | Promise<string>;
    if (!isJsonObject(inner)) {
      reply = JSON.stringify({ error_code: JSON_DECODE_FAIL });
    } else if (inner.method === 'login_device') {
      reply = JSON.stringify(loginDevice(id, session, inner.params));
    } else if (session.token === undefined || queryParam(req.query, 'token') !== session.token) {
      stats.sessionRefusals += 1;
      return { status: 200, json: { error_code: SESSION_TIMEOUT } };
    } else {
      stats.requests += 1;
      reply = options.handleParsed ? options.handleParsed(inner) : options.handler(text);
    }
    return andThen(reply, (text) => ({ status: 200, jsonText: passthroughReply(session, text) }));
  };

  const endpoint: HttpEndpoint = await startHttpEndpoint({
    host: options.host,
    port: options.port,
    fault: options.fault,
    route(req): EndpointReply | Promise<EndpointReply> {
      if (req.path !== '/app') return { status: 404 };
      let outer: unknown;
      try {
        outer = parseBoundedJson(req.body.toString('utf8'));
      } catch {
        outer = undefined;
      }
      if (!isJsonObject(outer)) return { status: 200, json: { error_code: JSON_DECODE_FAIL } };
      const params = isJsonObject(outer.params) ? outer.params : {};
      if (outer.method === 'handshake') {
        if (options.requireContentLength !== false && !req.headers.has('content-length')) return { status: 500 };
        const answer = handshake(params);
        return { status: answer.status, json: answer.body, headers: answer.headers };
      }
      if (outer.method === 'securePassthrough') return securePassthrough(req, params);
      return { status: 200, json: { error_code: -1002 } };
    },
  });

  return {
    host: endpoint.host,
    port: endpoint.port,
    stats,
    expireSessions: () => sessions.clear(),
    close: () => endpoint.close(),
  };
}

