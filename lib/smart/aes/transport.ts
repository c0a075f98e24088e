/**
 * The AES "securePassthrough" transport of Tapo plugs and bulbs and of
 * SMART Kasa devices on firmware before KLAP: an RSA handshake gives an
 * AES session and a TP_SESSIONID cookie, login_device gives a token, and
 * every request travels encrypted inside a securePassthrough call to
 * /app?token=... over a kept-alive HTTP connection.
 *
 * Accounts are tried in order (the user's, Tapo's default, blank), each
 * with login version 2 then 1 unless discovery said which; each try needs a
 * fresh handshake because a device drops the session after a failed login.
 * A session the device reports gone (9999, -1501 on the envelope) is
 * replaced and the request sent once more: it was never opened. A reply
 * that cannot be decrypted ends the session but is not resent (the request
 * may have run).
 */
import type * as net from 'node:net';
import { AuthenticationError, SmartHomeError, type DeviceAddress } from '../../errors';
import { credentialsToTry, type KlapCredentials } from '../../klap/auth';
import { failEarly, HttpConnection, type ReplyStep } from '../../klap/http';
import { markRetriable, OneAtATimeTransport, throughStep, type PlaintextStep } from '../../transport';
import { describeSmartErrorCode } from '../error-codes';
import { SmartAuthenticationError } from '../errors';
import type { LoginVersion } from './envelope';
import { login, passthroughBytes, performAesHandshake, readPassthrough, type AesHandshake, type JsonPost, type PassthroughOutcome } from './handshake';
import { aesSessionKeySinkInScope } from './session-key-log';

export const AES_DEFAULT_PORT = 80;
const JSON_TYPE = 'application/json';
const DEFAULT_MAX_RESPONSE_SIZE = 1024 * 1024;

/** What the debug hook receives after each handshake: enough to decrypt a capture of the session. */
export interface AesSessionKeys {
  host: string;
  port: number;
  /** AES-128 key and CBC IV, fixed for the whole session. */
  key: Buffer;
  iv: Buffer;
  /** The TP_SESSIONID value, to find the session in a capture. */
  sessionId: string | undefined;
}

export interface AesTransportOptions {
  host: string;
  port?: number;
  /** TP-Link cloud e-mail; blank for a device never bound to the cloud. */
  username?: string;
  password?: string;
  /** login_device version (discovery's `lv`); by default 2, then 1. */
  loginVersion?: LoginVersion;
  maxResponseSize?: number;
  /** Opens the HTTP connection's socket (tests record the bytes); net.connect by default. See HttpConnectionOptions. */
  createConnection?: (options: net.NetConnectOpts) => net.Socket;
  /**
   * Debug only, off by default: called with the session's AES key and IV
   * after every handshake (before its login, so a refused login's session
   * too), so that a Wireshark user can decrypt a capture.
   * Whoever sets it is responsible for where the keys go. A transport made
   * inside withAesSessionKeyLog() (session-key-log.ts) reports to that
   * scope's sink as well.
   */
  onSessionKeys?: (keys: AesSessionKeys) => void;
  /** Monotonic clock in ms for session expiry (tests); performance.now by default. */
  now?: () => number;
}

interface LoginCandidate {
  credentials: KlapCredentials;
  version: LoginVersion;
}

interface Session extends AesHandshake {
  /** /app?token=... */
  path: string;
}

/** The request in flight on the quick path (see exchange()): one record per transport, filled for each request. */
interface Flight {
  session: Session | undefined;
  request: Buffer;
  deadline: number;
  timeout: number;
  /** The caller's step, which gets the plaintext. */
  step: PlaintextStep<unknown>;
}

const NO_REQUEST = Buffer.alloc(0);
const NO_STEP: PlaintextStep<unknown> = { replied: () => undefined, failed: () => undefined };

export class AesTransport extends OneAtATimeTransport {
  readonly host: string;
  readonly port: number;
  readonly kind = 'aes' as const;
  readonly maxResponseSize: number;
  // Private fields, so that util.inspect (Node-RED debug, logs) never shows them.
  readonly #credentials: KlapCredentials;
  readonly #keySinks: readonly ((keys: AesSessionKeys) => void)[];
  #session: Session | undefined;
  #accepted: LoginCandidate | undefined;
  private readonly versions: readonly LoginVersion[];
  private readonly connection: HttpConnection;
  private readonly now: () => number;
  // Private: it holds the session too.
  readonly #flight: Flight = { session: undefined, request: NO_REQUEST, deadline: 0, timeout: 0, step: NO_STEP };

  constructor(options: AesTransportOptions) {
    super();
    this.host = options.host;
    this.port = options.port ?? AES_DEFAULT_PORT;
    this.#credentials = { username: options.username ?? '', password: options.password ?? '' };
    this.versions = options.loginVersion ? [options.loginVersion] : [2, 1];
    this.maxResponseSize = options.maxResponseSize ?? DEFAULT_MAX_RESPONSE_SIZE;
    this.connection = new HttpConnection({ address: this.address, maxResponseSize: this.maxResponseSize, createConnection: options.createConnection });
    this.#keySinks = [options.onSessionKeys, aesSessionKeySinkInScope()].filter((sink) => sink !== undefined);
    this.now = options.now ?? (() => performance.now());
  }

  /** The login version the device accepted, once logged in. */
  get loginVersion(): LoginVersion | undefined {
    return this.#accepted?.version;
  }

  private get address(): DeviceAddress {
    return { host: this.host, port: this.port };
  }


  async close(): Promise<void> {
    this.#session = undefined;
    this.connection.close();
  }

  /**
   * One request; finished() is called once when it ends. On a logged-in
   * session (nearly every request) it takes no async frame: its one
   * attempt's reply is read by #quickStep, in the connection's step, and
   * handed to the caller's `step` there, the request's details in #flight.
   * A login first, or the one resend after the device dropped the session,
   * takes exchangeSlowly().
   */
  protected exchange<T>(request: Buffer, deadline: number, timeout: number, step: PlaintextStep<T>, now: number): Promise<T> {
    const session = this.openSession();
    const flight = this.#flight;
    if (!session || flight.session) return throughStep(this.exchangeSlowly(request, deadline, timeout, 0, undefined), step);
    flight.request = request;
    flight.deadline = deadline;
    flight.timeout = timeout;
    flight.step = step as PlaintextStep<unknown>;
    return this.attempt(session, request, deadline, timeout, this.#quickStep, now) as Promise<T>;
  }

  /**
   * One attempt, for both paths: `request` encrypted for `session` and
   * posted, its reply (or failure) handed to `step`; `now` when the clock
   * was read just before (the quick path).
   */
  private attempt<T>(session: Session, request: Buffer, deadline: number, timeout: number, step: ReplyStep<T>, now?: number): Promise<T> {
    let body: Buffer;
    try {
      body = passthroughBytes(session, request);
    } catch (error) {
      return failEarly(error as Error, step);
    }
    this.#flight.session = session;
    return this.connection.post({ path: session.path, body, cookie: session.cookie, timeout, deadline, contentType: JSON_TYPE, now }, step);
  }

  /**
   * The quick path's attempt: its reply ends the request, its plaintext
   * read by the caller's step, or hands it to exchangeSlowly() for the one
   * resend. Failures are the transport's: the step sees them.
   */
  readonly #quickStep: ReplyStep<unknown> = {
    replied: (reply) => {
      const { session, request, deadline, timeout, step } = this.#flight;
      this.#endFlight();
      const outcome = readPassthrough(reply, session as Session, this.address);
      if (outcome.ok) {
        this.finished();
        return step.replied(outcome.plaintext);
      }
      if (outcome.sessionLost) this.#session = undefined;
      if (!outcome.notRun) {
        this.finished();
        step.failed(outcome.error);
        throw outcome.error;
      }
      return throughStep(this.exchangeSlowly(request, deadline, timeout, 1, outcome.error), step);
    },
    failed: (error) => {
      const step = this.#flight.step;
      this.#endFlight();
      this.finished();
      step.failed(error);
    },
  };

  /** An attempt of exchangeSlowly()'s loop: what the reply says, for the loop to decide (it calls finished()). */
  readonly #loopStep: ReplyStep<PassthroughOutcome> = {
    replied: (reply) => {
      const session = this.#flight.session;
      this.#endFlight();
      return readPassthrough(reply, session as Session, this.address);
    },
    failed: () => this.#endFlight(),
  };

  #endFlight(): void {
    this.#flight.session = undefined;
    this.#flight.request = NO_REQUEST;
    this.#flight.step = NO_STEP;
  }

  /** exchange() from attempt `first` (0 or 1) on, logging in where no session is open; `lastError` is attempt 0's. */
  private async exchangeSlowly(request: Buffer, deadline: number, timeout: number, first: number, lastError: Error | undefined): Promise<Buffer> {
    try {
      for (let attempt = first; attempt < 2; attempt += 1) {
        const session = this.openSession() ?? await this.establish(this.poster(deadline, timeout));
        const outcome = await this.attempt(session, request, deadline, timeout, this.#loopStep);
        if (outcome.ok) return outcome.plaintext;
        if (outcome.sessionLost) this.#session = undefined;
        if (!outcome.notRun) throw outcome.error;
        lastError = outcome.error;
      }
      // Refused twice on fresh sessions: the request never ran.
      throw lastError instanceof AuthenticationError ? lastError : markRetriable(lastError as Error);
    } finally {
      this.finished();
    }
  }

  /** The logged-in session, while it lasts. */
  private openSession(): Session | undefined {
    const current = this.#session;
    return current && this.now() < current.expiresAt ? current : undefined;
  }

  private async establish(post: JsonPost): Promise<Session> {
    this.#session = undefined;
    try {
      const session = await this.logIn(post);
      this.#session = session;
      return session;
    } catch (error) {
      // Nothing was sent yet; only wrong credentials stay unmarked (a retry repeats them).
      if (error instanceof SmartHomeError && !(error instanceof AuthenticationError)) markRetriable(error);
      throw error;
    }
  }

  private async logIn(post: JsonPost): Promise<Session> {
    const refusals: number[] = [];
    for (const candidate of this.candidates()) {
      const handshake = await performAesHandshake(post, this.address, this.now);
      // Before the login: a refused login is what a capture is most often taken to understand.
      this.reportKeys(handshake);
      const outcome = await login(post, handshake, candidate.version, candidate.credentials, this.address);
      if (outcome.ok) {
        this.#accepted = candidate;
        return { ...handshake, path: `/app?token=${encodeURIComponent(outcome.token)}` };
      }
      refusals.push(outcome.errorCode);
    }
    const codes = [...new Set(refusals)].map((code) => `${code} ${describeSmartErrorCode(code).name}`).join(', ');
    throw new SmartAuthenticationError(
      `AES login (v${this.versions.join('/v')}): the device accepted none of the configured, default or blank credentials ` +
        `(error_code ${codes}); check the TP-Link cloud e-mail and password (both case-sensitive)`,
      this.address,
      { errCode: refusals[refusals.length - 1], method: 'login_device' },
    );
  }

  /** The account that worked last time first, then every account with every login version. */
  private candidates(): LoginCandidate[] {
    const all: LoginCandidate[] = [];
    for (const credentials of credentialsToTry(this.#credentials, ['tapo'])) {
      for (const version of this.versions) all.push({ credentials, version });
    }
    const accepted = this.#accepted;
    if (!accepted) return all;
    const same = (c: LoginCandidate): boolean =>
      c.version === accepted.version && c.credentials.username === accepted.credentials.username && c.credentials.password === accepted.credentials.password;
    return [accepted, ...all.filter((c) => !same(c))];
  }

  private reportKeys(handshake: AesHandshake): void {
    for (const sink of this.#keySinks) {
      try {
        sink({ host: this.host, port: this.port, ...handshake.cipher.exportKeys(), sessionId: handshake.cookie?.split('=')[1] });
      } catch {
        // A debugging aid must not break the connection.
      }
    }
  }

  private poster(deadline: number, timeout: number): JsonPost {
    return (path, body, cookie) => this.connection.post({ path, body: Buffer.from(body, 'utf8'), cookie, timeout, deadline, contentType: JSON_TYPE });
  }
}
