/**
 * The reply socket. A device sends every reply to one fixed UDP port (61000
 * by default), so all clients in this process that use the same port share
 * one socket, bound once, and take turns: one exchange at a time per port.
 * Turn-taking (rather than demultiplexing concurrent requests) is what makes
 * a reply unambiguous even from devices that answer with packet id 0.
 * Requests go out from this socket too, so that port 0 (any free port) works
 * with a responder that replies to the request's source.
 */
import { createSocket, RemoteInfo, Socket } from 'dgram';

export interface ReplyListener {
  onMessage(message: Buffer, from: RemoteInfo): void;
  onError(error: Error): void;
}

const channels = new Map<string, ReplyChannel>();

/** Returns the shared channel for this address and port; pair with release(). */
export function acquireReplyChannel(bindAddress: string | undefined, port: number): ReplyChannel {
  const key = `${bindAddress ?? '0.0.0.0'}:${port}`;
  let channel = channels.get(key);
  if (!channel) {
    channel = new ReplyChannel(key, bindAddress, port);
    channels.set(key, channel);
  }
  channel.users++;
  return channel;
}

export class ReplyChannel {
  users = 0;
  private socket: Socket | undefined;
  private binding: Promise<void> | undefined;
  private socketPort: number | undefined;
  private listener: ReplyListener | undefined;
  private tail: Promise<unknown> = Promise.resolve();
  private lastId = 0;

  constructor(readonly key: string, readonly bindAddress: string | undefined, readonly port: number) {}

  /** Runs `job` once every job queued before it has settled. */
  exclusive<T>(job: () => Promise<T>): Promise<T> {
    const run = this.tail.then(job);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Binds the socket if it is not bound yet; a failed bind is retried by the next call. */
  bind(): Promise<void> {
    if (!this.binding) {
      const socket = createSocket('udp4');
      this.socket = socket;
      this.binding = new Promise<void>((resolve, reject) => {
        const onBindError = (error: Error): void => reject(error);
        socket.once('error', onBindError);
        socket.bind({ port: this.port, address: this.bindAddress, exclusive: true }, () => {
          socket.off('error', onBindError);
          this.socketPort = socket.address().port;
          socket.on('error', (error) => this.onSocketError(socket, error));
          socket.on('message', (message, from) => this.listener?.onMessage(message, from));
          resolve();
        });
      });
      this.binding.catch(() => this.discard(socket));
    }
    return this.binding;
  }

  /** The port replies arrive on: the configured one, or the one the system chose for port 0 (0 until bound). */
  get boundPort(): number {
    return this.socketPort ?? this.port;
  }

  /** Sends from the reply socket (bound by bind()); `onError` hears of a datagram that could not be sent. */
  send(packet: Buffer, port: number, address: string, onError: (error: Error) => void): void {
    if (!this.socket) return onError(new Error('the reply socket is closed'));
    this.socket.send(packet, port, address, (error) => {
      if (error) onError(error);
    });
  }

  /** Packet ids are per channel so that a late reply to one client is never taken for another's. Never 0. */
  allocateId(): number {
    this.lastId = (this.lastId % 0xffff) + 1;
    return this.lastId;
  }

  /** Routes datagrams to `listener` until the returned function is called. */
  listen(listener: ReplyListener): () => void {
    this.listener = listener;
    return () => {
      if (this.listener === listener) this.listener = undefined;
    };
  }

  /** Drops one user; the last one out closes the socket. */
  release(): Promise<void> {
    this.users--;
    if (this.users > 0) return Promise.resolve();
    if (channels.get(this.key) === this) channels.delete(this.key);
    const socket = this.socket;
    this.socket = undefined;
    this.binding = undefined;
    this.socketPort = undefined;
    this.listener = undefined;
    return socket ? closeSocket(socket) : Promise.resolve();
  }

  private onSocketError(socket: Socket, error: Error): void {
    this.discard(socket);
    this.listener?.onError(error);
  }

  private discard(socket: Socket): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    this.binding = undefined;
    this.socketPort = undefined;
    void closeSocket(socket);
  }
}

export function closeSocket(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve(); // already closed
    }
  });
}
