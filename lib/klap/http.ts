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
  /** Milliseconds until the whole reply must be in. */
  timeout: number;
  /** Default application/octet-stream (KLAP); the SMART AES transport posts JSON. */
  contentType?: string;
}

export interface HttpConnectionOptions {
  address: DeviceAddress;
  /** Largest reply body accepted, checked as it arrives. */
  maxResponseSize: number;
  /** Opens the socket (tests record what is written); net.connect by default. */
  createConnection?: (options: net.NetConnectOpts) => net.Socket;
}

/** Bytes that must never reach a request line or header: a device-chosen cookie could otherwise inject headers. */
const UNSAFE_HEADER_TEXT = /[^\x21-\x7e]/;
const UNSAFE_COOKIE_TEXT = /[^\x20-\x7e]/;
const MAX_TIMER_MS = 2 ** 31 - 1;

/** "POST /app/request", for error messages: the query (a seq, an AES token) is left out. */
function describePost(path: string): string {
  return `POST ${path.split('?')[0]}`;
}

/** The exchange in flight: what the socket's events go to. */
interface Exchange {
  /** performance.now() ms by which the whole reply must be in. */
  deadline: number;
  data(chunk: Buffer): void;
  ended(): void;
  failed(error: NodeJS.ErrnoException): void;
  aborted(): void;
  timedOut(): void;
}

export class HttpConnection {
  private readonly address: DeviceAddress;
  private readonly maxResponseSize: number;
  private readonly createConnection: (options: net.NetConnectOpts) => net.Socket;
  private socket: net.Socket | undefined;
  /** The socket has carried a whole exchange: a failure before any reply byte means the device closed it while idle. */
  private socketReused = false;
  private current: Exchange | undefined;
  /**
   * The deadline timer (see watch()), and when it fires (performance.now() ms).
   * Private fields: a Timeout is circular, and JSON.stringify of a client must still work.
   */
  #watchdog: NodeJS.Timeout | undefined;
  #watchdogAt = 0;
  private readonly hostHeader: string;

  constructor(options: HttpConnectionOptions) {
    this.address = options.address;
    this.maxResponseSize = options.maxResponseSize;
    this.createConnection = options.createConnection ?? ((o) => net.connect(o));
    const host = options.address.host.includes(':') ? `[${options.address.host}]` : options.address.host;
    this.hostHeader = `${host}:${options.address.port}`;
  }

  /** Never throws: every failure is a rejection. */
  post(request: PostRequest): Promise<PostReply> {
    const { path, cookie } = request;
    if (this.current) return Promise.reject(new Error(`${describePost(path)}: HttpConnection takes one request at a time`));
    if (UNSAFE_HEADER_TEXT.test(path) || (cookie !== undefined && UNSAFE_COOKIE_TEXT.test(cookie))) {
      return Promise.reject(new ProtocolError(`${describePost(path)}: the request path or the device's cookie holds characters a header cannot carry`, this.address));
    }
    return this.exchange(this.requestBytes(request), path, request.timeout);
  }

  /** Drops the connection; a request in flight fails with ClientClosedError. */
  close(): void {
    const exchange = this.current;
    clearTimeout(this.#watchdog);
    this.#watchdog = undefined;
    this.dropSocket();
    exchange?.aborted();
  }

  private requestBytes(request: PostRequest): Buffer {
    const head = `POST ${request.path} HTTP/1.1\r\nHost: ${this.hostHeader}\r\n` +
      `Content-Type: ${request.contentType ?? 'application/octet-stream'}\r\nContent-Length: ${request.body.length}\r\n` +
      `${request.cookie ? `Cookie: ${request.cookie}\r\n` : ''}\r\n`;
    // latin1 writes one byte per UTF-16 unit: the head's length is its byte length.
    const bytes = Buffer.allocUnsafe(head.length + request.body.length);
    bytes.write(head, 0, 'latin1');
    request.body.copy(bytes, head.length);
    return bytes;
  }

  /**
   * Writes the request and settles with its reply straight from the socket's
   * events, without a further promise step. A kept-open socket the device
   * closed while idle fails before the request reaches it; Node's
   * documentation recommends one retry, as its agent does: the same bytes
   * once more on a new socket, within the same deadline.
   */
  private exchange(bytes: Buffer, path: string, timeout: number): Promise<PostReply> {
    return new Promise<PostReply>((resolve, reject) => {
      let reused = false;
      let reader = new HttpReplyReader(this.maxResponseSize);
      const where = (): string => describePost(path);
      const settle = (error: Error | undefined, reply?: PostReply, keepSocket = false): void => {
        if (this.current !== exchange) return;
        this.current = undefined;
        this.#watchdog?.unref(); // an idle connection must not keep the process alive
        if (!keepSocket) this.dropSocket();
        if (error) reject(error);
        else resolve(reply as PostReply);
      };
      const send = (): void => {
        try {
          const socket = this.openSocket();
          reused = this.socketReused;
          reader = new HttpReplyReader(this.maxResponseSize);
          socket.write(bytes);
        } catch (error) {
          settle(error instanceof Error ? error : new ConnectionError(`${where()}: ${String(error)}`, this.address));
        }
      };
      /** Before any reply byte on a reused socket, the device had closed it while idle: the request never arrived. */
      const staleOr = (error: Error): void => {
        if (!reused || reader.started) return settle(error);
        this.dropSocket();
        send();
      };
      const progress = (result: ReplyProgress): void => {
        if (result.state === 'more') return;
        if (result.state === 'done') {
          const keep = !result.reply.close && result.extra === 0;
          if (keep) this.socketReused = true;
          settle(undefined, { status: result.reply.status, body: result.reply.body, setCookie: result.reply.setCookie }, keep);
        } else if (result.tooBig !== undefined) {
          settle(new ProtocolError(`${where()}: reply of ${result.tooBig} bytes exceeds the limit of ${this.maxResponseSize} bytes`, this.address));
        } else if (result.reason === 'reply interrupted' || result.reason === 'connection closed before the reply') {
          staleOr(new ConnectionError(`${where()}: ${result.reason}`, this.address));
        } else {
          settle(new ProtocolError(`${where()}: malformed HTTP reply (${result.reason})`, this.address));
        }
      };
      const exchange: Exchange = {
        data: (chunk) => progress(reader.push(chunk)),
        ended: () => progress(reader.end()),
        failed: (error) => {
          const wrapped = new ConnectionError(`${where()}: ${error.code ?? error.message}`, this.address, error);
          if (error.code === 'ECONNRESET' || error.code === 'EPIPE') staleOr(wrapped);
          else settle(error.code === 'ECONNREFUSED' ? markRetriable(wrapped) : wrapped);
        },
        aborted: () => settle(new ClientClosedError(this.address)),
        timedOut: () => settle(new TimeoutError(`${where()}: no reply within ${timeout} ms`, timeout, this.address)),
        deadline: performance.now() + timeout,
      };
      this.current = exchange;
      this.watch(exchange.deadline);
      send();
    });
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
    const exchange = this.current;
    if (!exchange) return;
    if (performance.now() >= exchange.deadline) exchange.timedOut();
    else this.watch(exchange.deadline);
  }

  private openSocket(): net.Socket {
    if (this.socket && !this.socket.destroyed && this.socket.writable) return this.socket;
    this.dropSocket();
    const socket = this.createConnection({ host: this.address.host, port: this.address.port, noDelay: true });
    this.socket = socket;
    this.socketReused = false;
    const mine = (): boolean => this.socket === socket;
    socket.on('data', (chunk: Buffer) => {
      if (!mine()) return;
      if (this.current) this.current.data(chunk);
      else this.dropSocket(); // bytes nobody asked for: the connection cannot be trusted any more
    });
    socket.on('end', () => {
      if (!mine()) return;
      if (this.current) this.current.ended();
      else this.dropSocket();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (mine() && this.current) this.current.failed(error);
    });
    socket.on('close', () => {
      if (!mine()) return;
      if (this.current) this.current.ended();
      this.dropSocket();
    });
    return socket;
  }

  private dropSocket(): void {
    const socket = this.socket;
    this.socket = undefined;
    this.socketReused = false;
    socket?.destroy();
  }
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
