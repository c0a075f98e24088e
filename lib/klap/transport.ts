/**
 * KLAP transport: the Smart Home JSON inside an authenticated AES session
 * over HTTP (port 80), spoken by firmware released since about 2023 that
 * closes TCP 9999. Handshakes on first use, again when the session expires
 * or the device drops it (403 or an undecryptable reply, retried once).
 */
import type * as net from 'node:net';
import { ProtocolError, SmartHomeError, type DeviceAddress } from '../errors';
import type { KlapCredentials, KlapVersion } from './auth';
import { performHandshake, type HandshakeResult } from './handshake';
import { failEarly, HttpConnection, type PostReply, type ReplyStep } from './http';
import { markRetriable, OneAtATimeTransport, throughStep, type PlaintextStep } from '../transport';

export const KLAP_DEFAULT_PORT = 80;
export const KLAP_DEFAULT_MAX_RESPONSE_SIZE = 1024 * 1024;

export interface KlapTransportOptions {
  host: string;
  port?: number;
  /** TP-Link cloud e-mail; blank for a device never bound to the cloud. */
  username?: string;
  password?: string;
  /** Force a protocol version; by default handshake1 reveals it (v2 is checked first). */
  version?: KlapVersion;
  /** Largest reply body accepted, checked before buffering. */
  maxResponseSize?: number;
  /** Opens the HTTP connection's socket (tests record the bytes); net.connect by default. See HttpConnectionOptions. */
  createConnection?: (options: net.NetConnectOpts) => net.Socket;
}

/** The request in flight on the quick path (see exchange()): one record per transport, filled for each request. */
interface Flight {
  state: HandshakeResult | undefined;
  seq: number;
  request: Buffer;
  deadline: number;
  timeout: number;
  /** The caller's step, which gets the plaintext. */
  step: PlaintextStep<unknown>;
}

const NO_REQUEST = Buffer.alloc(0);
const NO_STEP: PlaintextStep<unknown> = { replied: () => undefined, failed: () => undefined };

export class KlapTransport extends OneAtATimeTransport {
  readonly host: string;
  readonly port: number;
  readonly kind = 'klap' as const;
  readonly maxResponseSize: number;
  // A private field, so that util.inspect (Node-RED debug, logs) never shows it.
  readonly #credentials: KlapCredentials;
  private versions: readonly KlapVersion[];
  private readonly connection: HttpConnection;
  // The session (key, IV, signing key) too: inspect must not show it.
  #state: HandshakeResult | undefined;
  // Private: it holds the session too.
  readonly #flight: Flight = { state: undefined, seq: 0, request: NO_REQUEST, deadline: 0, timeout: 0, step: NO_STEP };

  constructor(options: KlapTransportOptions) {
    super();
    this.host = options.host;
    this.port = options.port ?? KLAP_DEFAULT_PORT;
    this.#credentials = { username: options.username ?? '', password: options.password ?? '' };
    this.versions = options.version ? [options.version] : [2, 1];
    this.maxResponseSize = options.maxResponseSize ?? KLAP_DEFAULT_MAX_RESPONSE_SIZE;
    // One connection, kept alive: the handshake and the requests share it.
    this.connection = new HttpConnection({ address: this.address, maxResponseSize: this.maxResponseSize, createConnection: options.createConnection });
  }

  /** The protocol version of the open session, once a handshake succeeded. */
  get version(): KlapVersion | undefined {
    return this.#state?.version;
  }

  private get address(): DeviceAddress {
    return { host: this.host, port: this.port };
  }


  async close(): Promise<void> {
    this.#state = undefined;
    this.connection.close();
  }

  /**
   * One request; finished() is called once when it ends. On an open session
   * (nearly every request) it takes no async frame: its one attempt's reply
   * is read by #quickStep, in the connection's step, and handed to the
   * caller's `step` there, the request's details in #flight. A handshake
   * first, or the one resend after the device dropped the session, takes
   * exchangeSlowly().
   */
  protected exchange<T>(request: Buffer, deadline: number, timeout: number, step: PlaintextStep<T>, now: number): Promise<T> {
    const state = this.openSession(now);
    const flight = this.#flight;
    if (!state || flight.state) return throughStep(this.exchangeSlowly(request, deadline, timeout, 0), step);
    flight.request = request;
    flight.deadline = deadline;
    flight.timeout = timeout;
    flight.step = step as PlaintextStep<unknown>;
    return this.attempt(state, request, deadline, timeout, this.#quickStep, now) as Promise<T>;
  }

  /**
   * One attempt, for both paths: `request` sealed on `state`'s session and
   * posted, its reply (or failure, a seal's too) handed to `step`; `now`
   * when the clock was read just before (the quick path).
   */
  private attempt<T>(state: HandshakeResult, request: Buffer, deadline: number, timeout: number, step: ReplyStep<T>, now?: number): Promise<T> {
    let sealed: { seq: number; body: Buffer };
    try {
      sealed = state.session.seal(request);
    } catch (error) {
      return failEarly(error as Error, step);
    }
    this.#flight.state = state;
    this.#flight.seq = sealed.seq;
    return this.connection.post({ path: `/app/request?seq=${sealed.seq}`, body: sealed.body, cookie: state.cookie, timeout, deadline, now }, step);
  }

  /**
   * The quick path's attempt: its reply ends the request, its plaintext
   * read by the caller's step, or hands it to exchangeSlowly() for the one
   * resend. Failures are the transport's: the step sees them.
   */
  readonly #quickStep: ReplyStep<unknown> = {
    replied: (reply) => {
      const { state, seq, request, deadline, timeout, step } = this.#flight;
      this.#endFlight();
      let outcome: Buffer | SmartHomeError;
      try {
        outcome = this.outcomeOf(state as HandshakeResult, seq, reply);
      } catch (error) {
        this.finished();
        step.failed(error);
        throw error;
      }
      if (Buffer.isBuffer(outcome)) {
        this.finished();
        return step.replied(outcome);
      }
      this.#state = undefined; // the device no longer knows this session
      return throughStep(this.exchangeSlowly(request, deadline, timeout, 1), step);
    },
    failed: (error) => {
      const step = this.#flight.step;
      this.#endFlight();
      this.finished();
      step.failed(error);
    },
  };

  /** An attempt of exchangeSlowly()'s loop: what the reply means, for the loop to decide (it calls finished()). */
  readonly #loopStep: ReplyStep<Buffer | SmartHomeError> = {
    replied: (reply) => {
      const { state, seq } = this.#flight;
      this.#endFlight();
      return this.outcomeOf(state as HandshakeResult, seq, reply);
    },
    failed: () => this.#endFlight(),
  };

  #endFlight(): void {
    this.#flight.state = undefined;
    this.#flight.request = NO_REQUEST;
    this.#flight.step = NO_STEP;
  }

  /** exchange() from attempt `first` (0 or 1) on, with a handshake where no session is open. */
  private async exchangeSlowly(request: Buffer, deadline: number, timeout: number, first: number): Promise<Buffer> {
    try {
      let failure: SmartHomeError | undefined;
      for (let attempt = first; attempt < 2; attempt += 1) {
        const state = this.openSession() ?? await this.handshake(deadline, timeout);
        const outcome = await this.attempt(state, request, deadline, timeout, this.#loopStep);
        if (Buffer.isBuffer(outcome)) return outcome;
        failure = outcome;
        this.#state = undefined; // the device no longer knows this session
      }
      throw failure as SmartHomeError;
    } finally {
      this.finished();
    }
  }

  /** The session to use, while it lasts (at `now`, performance.now() ms). */
  private openSession(now = performance.now()): HandshakeResult | undefined {
    const current = this.#state;
    return current && now < current.expiresAt && !current.session.exhausted ? current : undefined;
  }

  private async handshake(deadline: number, timeout: number): Promise<HandshakeResult> {
    this.#state = undefined;
    try {
      const state = await performHandshake((path, body, cookie) => this.connection.post({ path, body, cookie, timeout, deadline }), {
        address: this.address,
        credentials: this.#credentials,
        versions: this.versions,
      });
      this.versions = [state.version];
      this.#state = state;
      return state;
    } catch (error) {
      // The command has not been sent yet; a retry cannot apply it twice.
      // Wrong credentials stay unmarked: retrying them only repeats the failure.
      if (error instanceof SmartHomeError && error.code !== 'EAUTH') markRetriable(error);
      throw error;
    }
  }

  /**
   * What the device's reply to request `seq` means: the plaintext, or the
   * error of a session the device no longer knows (worth one resend); an
   * HTTP status other than 200 or 403 ends the session and throws.
   */
  private outcomeOf(state: HandshakeResult, seq: number, reply: PostReply): Buffer | SmartHomeError {
    if (reply.status === 403) {
      // Rejected before execution: safe to resend on a fresh session.
      return markRetriable(new ProtocolError('device rejected the KLAP session (HTTP 403)', this.address));
    }
    if (reply.status !== 200) {
      this.#state = undefined;
      throw new ProtocolError(`KLAP request with seq ${seq} answered HTTP ${reply.status}`, this.address);
    }
    const opened = state.session.open(seq, reply.body);
    if (opened.ok) return opened.plaintext;
    return new ProtocolError(`KLAP reply to seq ${seq}: ${opened.reason}`, this.address);
  }
}
