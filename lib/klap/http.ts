/**
 * One kept-open HTTP/1.1 connection to a device, for KLAP and the SMART AES
 * transport: a POST written in one piece, its reply read with the bounded
 * reader of http-reply.ts, a deadline per request, and the reply size capped
 * before it is buffered. Errors come out typed and name the device; neither
 * bodies nor cookies are ever put into a message. One request at a time:
 * the transports above serialise their exchanges.
 */
import * as net from 'node:net';
import { ClientClosedError, ConnectionError, ProtocolError, TimeoutError, type DeviceAddress } from '../errors';
import { markRetriable } from '../transport';
import { HttpReplyReader, type ReplyProgress } from './http-reply';

export interface PostReply {
  status: number;
  body: Buffer;
  setCookie: string[];
}

export interface PostRequest {
  path: string;
  body: Buffer;
  cookie?: string | undefined;
  /** Milliseconds until the whole reply must be in; with a `deadline`, the whole allowance it came from (for the error). */
  timeout: number;
  /**
   * performance.now() ms by which the reply must be in, for a request that
   * shares one allowance with the steps before it (a handshake, a login):
   * the post waits what is left of it, and fails at once with a
   * TimeoutError when nothing is left.
   */
  deadline?: number;
  /** Default application/octet-stream (KLAP); the SMART AES transport posts JSON. */
  contentType?: string;
  /**
   * performance.now() as the caller read it a moment ago, when it has: the
   * post reckons the deadline from it instead of reading the clock again
   * (a read cost some 50 ns, twice per request).
   */
  now?: number;
}

/**
 * What a caller does with a post's outcome within the connection's own
 * step, in the socket's event, instead of in a promise step after it (see
 * post()): the transports read every reply this way.
 */
export interface ReplyStep<T> {
  /** Reads the reply; what it returns, or throws, settles the post's promise. */
  replied: (reply: PostReply) => T | Promise<T>;
  /** Sees the failure before the post's promise rejects with it (any failure, early ones too). Must not throw. */
  failed: (error: Error) => void;
}

export interface HttpConnectionOptions {
  address: DeviceAddress;
  /** Largest reply body accepted, checked as it arrives. */
  maxResponseSize: number;
  /**
   * Opens the socket (tests record what is written); net.connect by default.
   * Pass the options on whole: their `onread` has the socket read into one
   * buffer kept by the connection. A socket opened without it still works,
   * reading as a stream.
   */
  createConnection?: (options: net.NetConnectOpts) => net.Socket;
}

/** Bytes that must never reach a request line or header: a device-chosen cookie could otherwise inject headers. */
const UNSAFE_HEADER_TEXT = /[^\x21-\x7e]/;
const UNSAFE_COOKIE_TEXT = /[^\x20-\x7e]/;
const MAX_TIMER_MS = 2 ** 31 - 1;
/** What one read of the socket takes at most: a device's everyday reply fits in one. */
const READ_ROOM = 16 * 1024;

/** "POST /app/request", for error messages: the query (a seq, an AES token) is left out. */
function describePost(path: string): string {
  return `POST ${path.split('?')[0]}`;
}

const NO_BYTES = Buffer.alloc(0);
const POST_SPACE = Buffer.from('POST ', 'latin1');
/** The end of a request head without a cookie. */
const NO_COOKIE_END = Buffer.from('\r\n\r\n', 'latin1');

export class HttpConnection {
  private readonly address: DeviceAddress;
  private readonly maxResponseSize: number;
  private readonly createConnection: (options: net.NetConnectOpts) => net.Socket;
  private socket: net.Socket | undefined;
  /** The socket has carried a whole exchange: a failure before any reply byte means the device closed it while idle. */
  private socketReused = false;
  /**
   * The exchange in flight, at most one, lives in the fields below rather
   * than in closures made per request: the socket's events and the
   * watchdog reach it through the connection. `#resolve` and `#reject`, its
   * promise's, are set while one is in flight.
   */
  #resolve: ((value: unknown) => void) | undefined;
  #reject: ((reason: unknown) => void) | undefined;
  /** The exchange's ReplyStep, when it came with one. */
  #step: ReplyStep<unknown> | undefined;
  /**
   * Its request bytes, kept for the one resend after a stale socket. These
   * fields are private (#) so that util.inspect never shows them: the path
   * and the bytes carry an AES token and the session cookie.
   */
  #bytes: Buffer = NO_BYTES;
  #path = '';
  #timeout = 0;
  /** performance.now() ms by which the whole reply must be in. */
  #deadline = 0;
  /** It went out on a socket that had carried an exchange before. */
  #sentOnReused = false;
  /** One reader for every reply on the connection, reset for each exchange (it holds the last reply). */
  readonly #reader: HttpReplyReader;
  /**
   * Every read of the connection's sockets lands here (net's `onread`)
   * rather than in a new Buffer passed through a stream's 'data' event:
   * the stream's bookkeeping, and a callback it queues after each chunk,
   * stood between a reply and the next request. What must outlive a read is
   * copied out of it (received()).
   */
  readonly #readRoom = Buffer.allocUnsafe(READ_ROOM);
  /** Stores the settle functions of a new exchange's promise; made once, not per request. */
  readonly #capture = (resolve: (value: unknown) => void, reject: (reason: unknown) => void): void => {
    this.#resolve = resolve;
    this.#reject = reject;
  };
  /**
   * The deadline timer (see watch()), and when it fires (performance.now() ms).
   * Private fields: a Timeout is circular, and JSON.stringify of a client must still work.
   */
  #watchdog: NodeJS.Timeout | undefined;
  #watchdogAt = 0;
  /** The request head from after the path up to the Content-Length value, per content type. */
  private readonly headMiddles = new Map<string, Buffer>();
  /**
   * The head's end for the last cookie sent ("\r\nCookie: ...\r\n\r\n"): a
   * session sends the same cookie with every request, so it is checked for
   * header injection and turned into bytes once. Private (#): it holds the cookie.
   */
  #cookie: string | undefined;
  #cookieEnd: Buffer = NO_COOKIE_END;
  private readonly hostHeader: string;

  constructor(options: HttpConnectionOptions) {
    this.address = options.address;
    this.maxResponseSize = options.maxResponseSize;
    this.createConnection = options.createConnection ?? ((o) => net.connect(o));
    const host = options.address.host.includes(':') ? `[${options.address.host}]` : options.address.host;
    this.hostHeader = `${host}:${options.address.port}`;
    this.#reader = new HttpReplyReader(options.maxResponseSize);
  }

  /**
   * Never throws: every failure is a rejection. With a `step`, the reply
   * (or failure) goes through it as soon as it is in, and the promise
   * settles with what it made of it: one promise step fewer between a reply
   * and the next request than a then() on the reply.
   */
  post(request: PostRequest): Promise<PostReply>;
  post<T>(request: PostRequest, step: ReplyStep<T>): Promise<T>;
  post(request: PostRequest, step?: ReplyStep<unknown>): Promise<unknown> {
    const { path, cookie, deadline } = request;
    const now = request.now ?? performance.now();
    let timeout = request.timeout;
    if (deadline !== undefined) {
      const left = Math.floor(deadline - now);
      if (left <= 0) return failEarly(new TimeoutError(`no reply within ${timeout} ms`, timeout, this.address), step);
      timeout = left;
    }
    if (this.#resolve) return failEarly(new Error(`${describePost(path)}: HttpConnection takes one request at a time`), step);
    const headEnd = this.headEnd(cookie);
    if (headEnd === undefined || UNSAFE_HEADER_TEXT.test(path)) {
      return failEarly(new ProtocolError(`${describePost(path)}: the request path or the device's cookie holds characters a header cannot carry`, this.address), step);
    }
    return this.exchange(this.requestBytes(request, headEnd), path, timeout, now + timeout, step);
  }

  /** Drops the connection; a request in flight fails with ClientClosedError. */
  close(): void {
    clearTimeout(this.#watchdog);
    this.#watchdog = undefined;
    this.dropSocket();
    if (this.#resolve) this.settle(new ClientClosedError(this.address), undefined, false);
  }

  /**
   * The head put together from bytes made once (its start, the middle per
   * content type, the end per cookie) around the two texts that change, the
   * path and the length, written as latin1: one byte per UTF-16 unit, so a
   * text's length is its byte length (post() let only ASCII through).
   * Writing every piece as text cost twice as much per request.
   */
  private requestBytes(request: PostRequest, headEnd: Buffer): Buffer {
    const { path, body } = request;
    const middle = this.headMiddle(request.contentType ?? 'application/octet-stream');
    const length = String(body.length);
    const bodyAt = POST_SPACE.length + path.length + middle.length + length.length + headEnd.length;
    const bytes = Buffer.allocUnsafe(bodyAt + body.length);
    bytes.set(POST_SPACE, 0);
    let at = POST_SPACE.length + bytes.write(path, POST_SPACE.length, 'latin1');
    bytes.set(middle, at);
    at += middle.length;
    at += bytes.write(length, at, 'latin1');
    bytes.set(headEnd, at);
    bytes.set(body, bodyAt);
    return bytes;
  }

  private headMiddle(contentType: string): Buffer {
    let middle = this.headMiddles.get(contentType);
    if (middle === undefined) {
      middle = Buffer.from(` HTTP/1.1\r\nHost: ${this.hostHeader}\r\nContent-Type: ${contentType}\r\nContent-Length: `, 'latin1');
      // Callers use one or two content types; a bound keeps a caller that varies them from growing the map.
      if (this.headMiddles.size >= 4) this.headMiddles.clear();
      this.headMiddles.set(contentType, middle);
    }
    return middle;
  }

  /** The head's end after the length, with the cookie line when there is a cookie; undefined for a cookie a header cannot carry. */
  private headEnd(cookie: string | undefined): Buffer | undefined {
    if (!cookie) return NO_COOKIE_END; // an empty cookie is sent as none
    if (cookie === this.#cookie) return this.#cookieEnd;
    if (UNSAFE_COOKIE_TEXT.test(cookie)) return undefined;
    this.#cookie = cookie;
    this.#cookieEnd = Buffer.from(`\r\nCookie: ${cookie}\r\n\r\n`, 'latin1');
    return this.#cookieEnd;
  }

  /**
   * Writes the request and settles with its reply straight from the socket's
   * events, without a further promise step. A kept-open socket the device
   * closed while idle fails before the request reaches it; Node's
   * documentation recommends one retry, as its agent does: the same bytes
   * once more on a new socket, within the same deadline.
   */
  private exchange(bytes: Buffer, path: string, timeout: number, deadline: number, step: ReplyStep<unknown> | undefined): Promise<unknown> {
    const promise = new Promise<unknown>(this.#capture);
    this.#step = step;
    this.#bytes = bytes;
    this.#path = path;
    this.#timeout = timeout;
    this.#deadline = deadline;
    this.send();
    // After the write, off the path from the device's last reply to this request: a
    // request that failed at once has settled already and must leave the timer alone.
    if (this.#resolve) this.watch(this.#deadline);
    return promise;
  }

  private send(): void {
    try {
      const socket = this.openSocket();
      this.#sentOnReused = this.socketReused;
      this.#reader.reset();
      socket.write(this.#bytes);
    } catch (error) {
      this.settle(error instanceof Error ? error : new ConnectionError(`${describePost(this.#path)}: ${String(error)}`, this.address), undefined, false);
    }
  }

  /**
   * Ends the exchange in flight, if any, with its reply or error. The
   * connection is ready for the next request before the step sees the
   * outcome: the step may post again. The step gets the body as it lies in
   * the read room: it reads it at once, before the socket reads again.
   */
  private settle(error: Error | undefined, reply: PostReply | undefined, keepSocket: boolean): void {
    const resolve = this.#resolve;
    const reject = this.#reject;
    const step = this.#step;
    if (!resolve || !reject) return;
    this.#resolve = this.#reject = this.#step = undefined;
    this.#bytes = NO_BYTES;
    this.#reader.reset(); // the reply is out of it: nothing of it stays on the connection
    this.#watchdog?.unref(); // an idle connection must not keep the process alive
    if (!keepSocket) this.dropSocket();
    if (error) {
      step?.failed(error);
      reject(error);
    } else if (!step) {
      // Its body may be a view of the read room, which the next read fills again.
      const { body } = reply as PostReply;
      resolve({ ...reply, body: Buffer.from(body) });
    } else {
      let value: unknown;
      try {
        value = step.replied(reply as PostReply);
      } catch (thrown) {
        reject(thrown);
        return;
      }
      resolve(value);
    }
  }

  /** Before any reply byte on a reused socket, the device had closed it while idle: the request never arrived. */
  private staleOr(error: Error): void {
    if (!this.#sentOnReused || this.#reader.started) return this.settle(error, undefined, false);
    this.dropSocket();
    this.send();
  }

  private progress(result: ReplyProgress): void {
    if (result.state === 'more') return;
    if (result.state === 'done') {
      const keep = !result.reply.close && result.extra === 0;
      if (keep) this.socketReused = true;
      this.settle(undefined, result.reply, keep);
    } else if (result.tooBig !== undefined) {
      this.settle(new ProtocolError(`${describePost(this.#path)}: reply of ${result.tooBig} bytes exceeds the limit of ${this.maxResponseSize} bytes`, this.address), undefined, false);
    } else if (result.reason === 'reply interrupted' || result.reason === 'connection closed before the reply') {
      this.staleOr(new ConnectionError(`${describePost(this.#path)}: ${result.reason}`, this.address));
    } else {
      this.settle(new ProtocolError(`${describePost(this.#path)}: malformed HTTP reply (${result.reason})`, this.address), undefined, false);
    }
  }

  private failed(error: NodeJS.ErrnoException): void {
    const wrapped = new ConnectionError(`${describePost(this.#path)}: ${error.code ?? error.message}`, this.address, error);
    if (error.code === 'ECONNRESET' || error.code === 'EPIPE') this.staleOr(wrapped);
    else this.settle(error.code === 'ECONNREFUSED' ? markRetriable(wrapped) : wrapped, undefined, false);
  }

  /**
   * Arms the watchdog for an exchange due by `deadline`. One timer serves
   * every exchange on the connection: it is set again only when it would
   * fire too late, and when it fires before the exchange in flight is due
   * (it was armed for an earlier one) it sets itself for the rest. A timer
   * per exchange, set and cleared each time, cost more than the rest of
   * writing the request.
   */
  private watch(deadline: number): void {
    if (this.#watchdog && this.#watchdogAt <= deadline) {
      this.#watchdog.ref();
      return;
    }
    clearTimeout(this.#watchdog);
    this.#watchdogAt = deadline;
    // setTimeout takes at most 2^31-1 ms; a later deadline is reached by setting it again.
    this.#watchdog = setTimeout(() => this.onWatchdog(), Math.min(MAX_TIMER_MS, Math.max(1, Math.ceil(deadline - performance.now()))));
  }

  private onWatchdog(): void {
    this.#watchdog = undefined;
    if (!this.#resolve) return;
    if (performance.now() >= this.#deadline) {
      this.settle(new TimeoutError(`${describePost(this.#path)}: no reply within ${this.#timeout} ms`, this.#timeout, this.address), undefined, false);
    } else {
      this.watch(this.#deadline);
    }
  }

  private openSocket(): net.Socket {
    if (this.socket && !this.socket.destroyed && this.socket.writable) return this.socket;
    this.dropSocket();
    const socket = this.createConnection({
      host: this.address.host, port: this.address.port, noDelay: true,
      onread: { buffer: this.#readRoom, callback: (length: number): boolean => this.received(socket, this.#readRoom.subarray(0, length)) },
    });
    this.socket = socket;
    this.socketReused = false;
    const mine = (): boolean => this.socket === socket;
    // A caller's createConnection that does not pass `onread` on gives a socket that reads as a stream:
    // its chunks are its own, and come here. With `onread` honoured, 'data' never fires.
    socket.on('data', (chunk: Buffer) => this.received(socket, chunk));
    socket.on('end', () => {
      if (!mine()) return;
      if (this.#resolve) this.progress(this.#reader.end());
      else this.dropSocket();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (mine() && this.#resolve) this.failed(error);
    });
    socket.on('close', () => {
      if (!mine()) return;
      if (this.#resolve) this.progress(this.#reader.end());
      this.dropSocket();
    });
    return socket;
  }

  /**
   * Bytes read, usually a view of the read room: whatever the reader keeps
   * of them is copied before the room is read into again. True: keep reading.
   */
  private received(socket: net.Socket, bytes: Buffer): boolean {
    if (this.socket !== socket) return true;
    if (!this.#resolve) {
      this.dropSocket(); // bytes nobody asked for: the connection cannot be trusted any more
      return true;
    }
    const result = this.#reader.push(bytes);
    if (result.state === 'more') this.#reader.detach();
    this.progress(result);
    return true;
  }

  private dropSocket(): void {
    const socket = this.socket;
    this.socket = undefined;
    this.socketReused = false;
    socket?.destroy();
  }
}

/** A post that fails before anything is sent: the step sees the failure, then the promise rejects with it. */
export function failEarly(error: Error, step: ReplyStep<unknown> | undefined): Promise<never> {
  step?.failed(error);
  return Promise.reject(error);
}

/**
 * Reads `name=value` pairs from Set-Cookie headers. Devices send
 * "TP_SESSIONID=...;TIMEOUT=86400" in one header, so TIMEOUT looks like an
 * attribute to a browser; every pair is read alike here.
 */
export function readCookies(setCookie: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const header of setCookie) {
    for (const part of header.split(';')) {
      const eq = part.indexOf('=');
      if (eq <= 0) continue;
      out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
  }
  return out;
}
