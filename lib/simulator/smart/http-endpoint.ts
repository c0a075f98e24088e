/**
 * The HTTP side of a simulated SMART device: one listener, requests read
 * within caps (http-request.ts), one routing function, and the device's
 * fault modes applied to every reply the way they apply to TCP frames on
 * port 9999 (slow, no-reply, split, close-mid-frame, garbage). Shared by
 * the AES endpoint and the KLAP server so that both misbehave alike.
 *
 * A small HTTP/1.1 server on node:net rather than node:http: requests on
 * a kept-open connection are answered in order, one at a time, each reply
 * written as one buffer (head and body in a single write), idle
 * connections closed after a while as devices do. node:http's streams
 * and per-request objects were most of the device's time per request.
 */
import { randomBytes } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import * as net from 'node:net';
import type { FaultSpec } from '../faults';
import { HttpRequestReader, type HttpRequest } from './http-request';

export type { HttpRequest } from './http-request';

/** `value`, or what a promise of it resolves to, given to `next`: synchronous when nothing needs waiting for. */
export function andThen<T, U>(value: T | Promise<T>, next: (resolved: T) => U | Promise<U>): U | Promise<U> {
  return value instanceof Promise ? value.then(next) : next(value);
}

/** Idle keep-alive connections are closed after this long, as Node's server (and devices) do. */
export const IDLE_TIMEOUT_MS = 5000;
/** A request whose bytes are still not all in after this long ends its connection. */
const REQUEST_TIMEOUT_MS = 30_000;
/** Unanswered bytes held per connection before reading pauses (pipelined requests, a client that does not read). */
const MAX_BUFFERED = 256 * 1024;

export interface EndpointReply {
  status: number;
  json?: unknown;
  /** A JSON body already written as text (sent as application/json, like `json`). */
  jsonText?: string;
  body?: Buffer;
  headers?: Record<string, string> | undefined;
}

export interface HttpEndpointOptions {
  host?: string | undefined;
  port?: number | undefined;
  route(request: HttpRequest): Promise<EndpointReply> | EndpointReply;
  /** The fault to apply to the reply to this request (KLAP applies faults to requests, not to its handshakes). */
  fault?: ((request: HttpRequest) => FaultSpec | undefined) | undefined;
  /** Each accepted TCP connection (keep-alive checks count them). */
  onConnection?: ((socket: net.Socket) => void) | undefined;
  /** Closes a connection idle this long (default IDLE_TIMEOUT_MS). */
  idleTimeoutMs?: number | undefined;
}

export interface HttpEndpoint {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startHttpEndpoint(options: HttpEndpointOptions): Promise<HttpEndpoint> {
  const connections = new Set<Connection>();
  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    const connection = new Connection(socket, options);
    connections.add(connection);
    socket.once('close', () => {
      connection.dispose();
      connections.delete(connection);
    });
    options.onConnection?.(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', () => undefined); // an accept failure must not take the simulator down
  const address = server.address() as net.AddressInfo;
  return {
    host: address.address,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const connection of connections) connection.destroy();
      }),
  };
}

/** One client connection: its reader, the request being answered, its timers. */
class Connection {
  private readonly reader = new HttpRequestReader();
  /** A request is being answered (routed, delayed by a fault, or never: no-reply). */
  private busy = false;
  private peerEnded = false;
  private closed = false;
  private continued = false;
  private requestSince = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly idle: NodeJS.Timeout;
  /** The last headers of a reply that keeps the connection open. */
  private readonly keepAlive: string;

  constructor(private readonly socket: net.Socket, private readonly options: HttpEndpointOptions) {
    socket.on('error', () => undefined); // a reset by the client only ends this connection
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => {
      this.peerEnded = true;
      this.pump();
    });
    socket.on('drain', () => this.pump());
    const idleMs = options.idleTimeoutMs ?? IDLE_TIMEOUT_MS;
    this.keepAlive = `Connection: keep-alive\r\nKeep-Alive: timeout=${Math.max(1, Math.floor(idleMs / 1000))}\r\n\r\n`;
    this.idle = setTimeout(() => this.onTimer(), idleMs);
  }

  destroy(): void {
    this.dispose();
    this.socket.destroy();
  }

  dispose(): void {
    this.closed = true;
    clearTimeout(this.idle);
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    if (this.reader.buffered === 0) this.requestSince = Date.now();
    this.reader.push(chunk);
    this.pump();
  }

  /** Answers every complete request in turn while the previous reply is out and the client keeps reading. */
  private pump(): void {
    while (!this.busy && !this.closed && this.socket.writableLength < MAX_BUFFERED) {
      const progress = this.reader.next();
      if (progress.state === 'refused') return this.refuse(progress.status);
      if (progress.state === 'more') {
        if (progress.expectsContinue && !this.continued) {
          this.continued = true;
          this.socket.write('HTTP/1.1 100 Continue\r\n\r\n');
        }
        if (this.reader.buffered > MAX_BUFFERED) return this.refuse(413);
        if (this.peerEnded) this.socket.end();
        else if (this.socket.isPaused()) this.socket.resume();
        return;
      }
      this.continued = false;
      this.answer(progress.request);
    }
    // Busy or the client reads too slowly: stop reading until the reply is out.
    if (!this.closed && this.reader.buffered > MAX_BUFFERED) this.socket.pause();
  }

  private answer(request: HttpRequest): void {
    this.busy = true;
    if (request.method !== 'POST') return this.finish(this.replyBytes({ status: 405 }, undefined, request.close), request.close);
    let reply: Promise<EndpointReply> | EndpointReply;
    try {
      reply = this.options.route(request);
    } catch {
      reply = { status: 500 };
    }
    const send = (r: EndpointReply): void => this.send(request, r, this.options.fault?.(request));
    if (reply instanceof Promise) reply.then(send, () => send({ status: 500 }));
    else send(reply);
  }

  private send(request: HttpRequest, reply: EndpointReply, fault: FaultSpec | undefined): void {
    if (this.closed) return;
    const close = request.close;
    switch (fault?.kind) {
      case 'no-reply':
        return; // the connection stays open and silent; the client's deadline ends it
      case 'slow':
        return this.later(fault.delayMs ?? 2000, () => this.send(request, reply, undefined));
      case 'garbage': {
        const body = randomBytes(Math.max(1, fault.length ?? bytesOf(reply).length));
        body[0] = 0xff; // never the start of JSON
        return this.finish(this.replyBytes(reply, body, close), close);
      }
      case 'close-mid-frame': {
        const bytes = this.replyBytes(reply, bytesOf(reply), close);
        const body = bytes.length - headLength(bytes);
        const cut = Math.max(1, Math.min(body - 1, fault.bytes ?? Math.floor(body / 2)));
        this.socket.write(bytes.subarray(0, bytes.length - body + cut));
        return this.later(0, () => this.destroy());
      }
      case 'split':
        return this.writeSplit(this.replyBytes(reply, bytesOf(reply), close), close, fault);
    }
    this.finish(wireReply(reply, close ? CLOSE : this.keepAlive), close);
  }

  /** The head and the first chunk in one write, then one chunk every `intervalMs`. */
  private writeSplit(bytes: Buffer, close: boolean, fault: { chunkSize?: number; intervalMs?: number }): void {
    const size = Math.max(1, Math.floor(fault.chunkSize ?? 1));
    const step = (from: number, to: number): void => {
      if (to >= bytes.length) return this.finish(bytes.subarray(from), close);
      this.socket.write(bytes.subarray(from, to));
      this.later(fault.intervalMs ?? 1, () => step(to, to + size));
    };
    step(0, headLength(bytes) + size);
  }

  /** Writes the last bytes of a reply; then the next request, or the end the client asked for. */
  private finish(bytes: Buffer | string, close: boolean): void {
    if (this.closed) return;
    this.socket.write(bytes, 'latin1'); // a string from wireReply: latin1, as replyBytes writes it
    this.busy = false;
    if (close) {
      this.closed = true;
      this.socket.end();
      return;
    }
    this.idle.refresh();
    this.pump();
  }

  private refuse(status: number): void {
    this.closed = true;
    this.socket.end(this.replyBytes({ status }, undefined, true));
  }

  private replyBytes(reply: EndpointReply, body: Buffer | undefined, close: boolean): Buffer {
    return replyBytes(reply, body, close ? CLOSE : this.keepAlive);
  }

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.closed) fn();
    }, ms);
    this.timers.add(timer);
  }

  /** Idle: closed; a request still coming in: closed once it took too long; a reply pending: wait on. */
  private onTimer(): void {
    if (this.closed) return;
    const receiving = !this.busy && this.reader.buffered > 0;
    if (this.busy || (receiving && Date.now() - this.requestSince < REQUEST_TIMEOUT_MS)) {
      this.idle.refresh();
      return;
    }
    this.destroy();
  }
}

function bytesOf(reply: EndpointReply): Buffer {
  if (reply.body) return reply.body;
  const text = textOf(reply);
  return text === undefined ? Buffer.alloc(0) : Buffer.from(text, 'utf8');
}

/** The body of a JSON reply as text; undefined for a binary or empty one. */
function textOf(reply: EndpointReply): string | undefined {
  if (reply.body) return undefined;
  return reply.jsonText ?? (reply.json === undefined ? undefined : JSON.stringify(reply.json));
}

/**
 * A route's reply as it goes out when no fault cuts it. An ASCII JSON one
 * (every reply of the SMART endpoints: base64 inside JSON) is one string,
 * head and text, that the socket writes as latin1 straight into its
 * request (no Buffer made, filled and copied here); any other as
 * replyBytes makes it. The bytes are the same either way: replyBytes
 * writes the head as latin1 too, and ASCII is its own UTF-8.
 */
export function wireReply(reply: EndpointReply, connection: string): Buffer | string {
  const text = textOf(reply);
  if (text === undefined) return replyBytes(reply, reply.body ?? Buffer.alloc(0), connection);
  const length = Buffer.byteLength(text, 'utf8');
  if (length !== text.length) return replyBytes(reply, Buffer.from(text, 'utf8'), connection);
  return `${replyHead(reply, true, length, connection)}${text}`;
}

/**
 * Status line, headers and body as one buffer. Route replies carry a
 * Content-Type (JSON or octet-stream, as devices send); the endpoint's own
 * refusals (`body` undefined) carry none.
 */
function replyBytes(reply: EndpointReply, body: Buffer | undefined, connection: string): Buffer {
  const length = body?.length ?? 0;
  const head = replyHead(reply, body !== undefined, length, connection);
  const headBytes = Buffer.byteLength(head, 'latin1');
  const bytes = Buffer.allocUnsafe(headBytes + length);
  bytes.write(head, 0, 'latin1');
  body?.copy(bytes, headBytes);
  return bytes;
}

function isJson(reply: EndpointReply): boolean {
  return reply.json !== undefined || reply.jsonText !== undefined;
}

function replyHead(reply: EndpointReply, typed: boolean, length: number, connection: string): string {
  let head = `HTTP/1.1 ${reply.status} ${STATUS_CODES[reply.status] ?? 'Unknown'}\r\n`;
  if (reply.headers) for (const [name, value] of Object.entries(reply.headers)) head += `${name}: ${value}\r\n`;
  if (typed) head += `Content-Type: ${isJson(reply) ? 'application/json' : 'application/octet-stream'}\r\n`;
  return `${head}Content-Length: ${length}\r\n${connection}`;
}

const CLOSE = 'Connection: close\r\n\r\n';
const HEAD_END = Buffer.from('\r\n\r\n');

function headLength(bytes: Buffer): number {
  return bytes.indexOf(HEAD_END) + HEAD_END.length;
}
