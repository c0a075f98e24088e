/**
 * TCP transport: one persistent connection per device, TCP_NODELAY, frames
 * reassembled by FrameDecoder. The socket is unref'd while idle (an idle
 * client never keeps a process alive) and closed after `idleTimeout`.
 */
import * as net from 'net';
import { encodeFrame, FrameDecoder, DEFAULT_MAX_FRAME_LENGTH } from '../framing';
import { ConnectionError, ProtocolError, TimeoutError, ClientClosedError, type DeviceAddress } from '../../errors';
import { markRetriable, type Transport } from '../../transport';

export interface TcpTransportOptions {
  host: string;
  port?: number;
  /** Milliseconds an unused connection stays open (default 10 s). */
  idleTimeout?: number;
  /** Largest reply accepted, in bytes (default 1 MiB). */
  maxFrameLength?: number;
  /** Source address to connect from. */
  localAddress?: string;
}

interface PendingReply {
  /** The connection the request was written to: only its events settle it. */
  socket: net.Socket;
  /** Written to a kept-open connection rather than one opened for it. */
  reused: boolean;
  /** Reply bytes seen since the request was written. */
  received: number;
  /** The request's timeout in ms, for the error message. */
  timeout: number;
  resolve(reply: Buffer): void;
  reject(error: Error): void;
}

export class TcpTransport implements Transport {
  readonly kind = 'tcp' as const;
  readonly host: string;
  readonly port: number;
  private readonly idleTimeout: number;
  private readonly maxFrameLength: number;
  private readonly localAddress: string | undefined;
  private socket: net.Socket | undefined;
  private decoder: FrameDecoder;
  private pending: PendingReply | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  /** When the last reply arrived; the idle timer checks it instead of being re-armed per request. */
  private lastReply = 0;
  /** Reused across requests with the same timeout (refresh() is cheaper than a new timer). */
  private replyTimer: NodeJS.Timeout | undefined;
  private replyTimerMs = 0;
  /** Fails the connection attempt in progress (close() during connect). */
  private abortConnect: (() => void) | undefined;

  constructor(options: TcpTransportOptions) {
    this.host = options.host;
    this.port = options.port ?? 9999;
    this.idleTimeout = options.idleTimeout ?? 10_000;
    this.maxFrameLength = options.maxFrameLength ?? DEFAULT_MAX_FRAME_LENGTH;
    this.localAddress = options.localAddress;
    this.decoder = new FrameDecoder(this.maxFrameLength);
  }

  private get address(): DeviceAddress {
    return { host: this.host, port: this.port };
  }

  async send(request: Buffer, timeout: number): Promise<Buffer> {
    const started = Date.now();
    const reused = this.socket !== undefined;
    const socket = this.socket ?? (await this.connect(timeout));
    return new Promise<Buffer>((resolve, reject) => {
      this.pending = {
        socket,
        reused,
        received: 0,
        timeout,
        resolve: (reply) => {
          this.pending = undefined;
          this.lastReply = Date.now();
          socket.unref();
          resolve(reply);
        },
        reject: (error) => {
          this.pending = undefined;
          reject(error);
        },
      };
      this.startReplyTimer(timeout, reused ? timeout : Math.max(1, started + timeout - Date.now()));
      socket.ref();
      socket.write(encodeFrame(request));
    });
  }

  /**
   * Arms the reply deadline. The timer is unref'd and outlives the request:
   * it fires harmlessly when nothing is pending, and the next request with
   * the same timeout only refreshes it.
   */
  private startReplyTimer(timeout: number, delay: number): void {
    if (this.replyTimer && this.replyTimerMs === timeout && delay === timeout) {
      this.replyTimer.refresh();
      return;
    }
    if (this.replyTimer) clearTimeout(this.replyTimer);
    this.replyTimerMs = delay === timeout ? timeout : -1;
    this.replyTimer = setTimeout(() => this.onReplyTimeout(), delay);
    this.replyTimer.unref();
  }

  private onReplyTimeout(): void {
    const pending = this.pending;
    if (!pending) return;
    // The reply may still arrive later and would be taken for the next one.
    this.destroySocket();
    pending.reject(new TimeoutError(`no reply within ${pending.timeout} ms`, pending.timeout, this.address));
  }

  async close(): Promise<void> {
    this.clearIdleTimer();
    if (this.replyTimer) clearTimeout(this.replyTimer);
    this.replyTimer = undefined;
    this.pending?.reject(new ClientClosedError(this.address));
    this.abortConnect?.();
    this.destroySocket();
  }

  private connect(timeout: number): Promise<net.Socket> {
    return new Promise<net.Socket>((resolve, reject) => {
      const socket = net.connect({ host: this.host, port: this.port, localAddress: this.localAddress, noDelay: true });
      const settle = (error: Error): void => {
        clearTimeout(timer);
        if (this.abortConnect === abort) this.abortConnect = undefined;
        socket.destroy();
        reject(error);
      };
      const fail = (error: Error): void =>
        settle(markRetriable(new ConnectionError(`cannot connect: ${describe(error)}`, this.address, error)));
      const abort = (): void => settle(new ClientClosedError(this.address));
      this.abortConnect = abort;
      const timer = setTimeout(() => {
        settle(markRetriable(new TimeoutError(`connect timed out after ${timeout} ms`, timeout, this.address)));
      }, timeout);
      socket.once('error', fail);
      socket.once('connect', () => {
        clearTimeout(timer);
        if (this.abortConnect === abort) this.abortConnect = undefined;
        socket.off('error', fail);
        this.adopt(socket);
        resolve(socket);
      });
    });
  }

  private adopt(socket: net.Socket): void {
    this.socket = socket;
    this.decoder = new FrameDecoder(this.maxFrameLength);
    this.lastReply = Date.now();
    this.armIdleTimer();
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(socket, chunk));
    // The device ended the connection: no further request may be written to it.
    socket.on('end', () => this.dropSocket(socket));
    // A socket destroyed after a timeout closes later, possibly after the next
    // request went out on a new one: its events must not settle that request.
    socket.on('error', (error: Error) => {
      this.dropSocket(socket);
      if (this.pending?.socket !== socket) return;
      this.pending.reject(this.unread(new ConnectionError(`connection failed: ${describe(error)}`, this.address, error)));
    });
    socket.on('close', () => {
      this.dropSocket(socket);
      if (this.pending?.socket !== socket) return;
      const midFrame = this.pending.received > 0 || this.decoder.pendingBytes > 0;
      this.pending.reject(
        midFrame
          ? new ProtocolError('connection closed in the middle of a reply frame', this.address)
          : this.unread(new ConnectionError('connection closed by the device before it replied', this.address)),
      );
    });
  }

  /**
   * A kept-open connection that ends or resets before any reply byte was one
   * the device had already closed (its FIN crossed our request), so the
   * device never read the request: resending it on a new connection cannot
   * apply it twice. The same rule as Node's HTTP agent for reused sockets.
   */
  private unread(error: ConnectionError): ConnectionError {
    return this.pending?.reused && this.pending.received === 0 ? markRetriable(error) : error;
  }

  private onData(socket: net.Socket, chunk: Buffer): void {
    if (this.pending?.socket === socket) this.pending.received += chunk.length;
    if (this.socket !== socket) return;
    const result = this.decoder.push(chunk);
    if (!result.ok) {
      this.destroySocket();
      this.pending?.reject(new ProtocolError(`bad reply frame: ${result.error.message}`, this.address, result.error));
      return;
    }
    // A reply that arrives with nothing waiting for it (after a timeout) is dropped.
    if (result.frames.length > 0) this.pending?.resolve(result.frames[0]);
  }

  /** Closes the connection once no reply came for `idleTimeout` ms; re-arms itself otherwise. */
  private armIdleTimer(delay: number = this.idleTimeout): void {
    this.clearIdleTimer();
    this.idleTimer = setTimeout(() => {
      const idleFor = Date.now() - this.lastReply;
      if (!this.pending && idleFor >= this.idleTimeout) this.destroySocket();
      else this.armIdleTimer(this.pending ? this.idleTimeout : this.idleTimeout - idleFor);
    }, delay);
    this.idleTimer.unref();
  }

  private clearIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  private dropSocket(socket: net.Socket): void {
    if (this.socket === socket) {
      this.socket = undefined;
      this.clearIdleTimer();
    }
  }

  private destroySocket(): void {
    const socket = this.socket;
    this.socket = undefined;
    this.clearIdleTimer();
    socket?.destroy();
  }
}

const PHRASES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'timed out',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EADDRNOTAVAIL: 'source address not available',
  EPIPE: 'connection closed',
};

/**
 * A short reason for an OS error: the messages Node builds repeat the
 * address ("connect ECONNREFUSED 10.0.0.5:9999"), which ours already name.
 */
export function describe(error: Error): string {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return error.message;
  const phrase = PHRASES[code];
  return phrase ? `${phrase} (${code})` : error.message.includes(code) ? error.message : `${code} ${error.message}`;
}
