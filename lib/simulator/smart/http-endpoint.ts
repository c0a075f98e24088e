/**
 * The HTTP side of a simulated SMART device: one listener, request bodies
 * read within a cap, one routing function, and the device's fault modes
 * applied to every reply the way they apply to TCP frames on port 9999
 * (slow, no-reply, split, close-mid-frame, garbage). Shared by the AES
 * endpoint and the KLAP server so that both misbehave alike.
 */
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { FaultSpec } from '../faults';

const MAX_BODY = 64 * 1024;

export interface EndpointReply {
  status: number;
  json?: unknown;
  body?: Buffer;
  headers?: Record<string, string> | undefined;
}

export interface HttpEndpointOptions {
  host?: string | undefined;
  port?: number | undefined;
  route(req: http.IncomingMessage, url: URL, body: Buffer): Promise<EndpointReply> | EndpointReply;
  /** The fault to apply to the reply to this URL (KLAP applies faults to requests, not to its handshakes). */
  fault?: ((url: URL) => FaultSpec | undefined) | undefined;
  /** Each accepted TCP connection (keep-alive checks count them). */
  onConnection?: ((socket: Socket) => void) | undefined;
}

export interface HttpEndpoint {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startHttpEndpoint(options: HttpEndpointOptions): Promise<HttpEndpoint> {
  const timers = new Set<NodeJS.Timeout>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => {
      if (req.method !== 'POST') return void res.writeHead(405).end();
      if (size > MAX_BODY) return void res.writeHead(413).end();
      const url = new URL(req.url ?? '/', 'http://device');
      Promise.resolve(options.route(req, url, Buffer.concat(chunks)))
        .then((reply) => writeReply(res, reply, options.fault?.(url), timers))
        .catch(() => {
          if (!res.headersSent) res.writeHead(500);
          res.end();
        });
    });
  });
  if (options.onConnection) server.on('connection', options.onConnection);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    host: address.address,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function bytesOf(reply: EndpointReply): Buffer {
  if (reply.body) return reply.body;
  return reply.json === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(reply.json), 'utf8');
}

/** Writes a reply as the active fault wants it. */
function writeReply(res: http.ServerResponse, reply: EndpointReply, fault: FaultSpec | undefined, timers: Set<NodeJS.Timeout>): void {
  const later = (ms: number, fn: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };
  let body = bytesOf(reply);
  const type = reply.json === undefined ? 'application/octet-stream' : 'application/json';
  switch (fault?.kind) {
    case 'no-reply':
      return; // the connection stays open and silent; the client's deadline ends it
    case 'slow':
      return later(fault.delayMs ?? 2000, () => writeReply(res, reply, undefined, timers));
    case 'garbage':
      body = randomBytes(Math.max(1, fault.length ?? body.length));
      body[0] = 0xff; // never the start of JSON
      break;
    case 'close-mid-frame': {
      res.writeHead(reply.status, { ...reply.headers, 'Content-Type': type, 'Content-Length': body.length });
      const cut = Math.max(1, Math.min(body.length - 1, fault.bytes ?? Math.floor(body.length / 2)));
      res.write(body.subarray(0, cut));
      return later(0, () => res.destroy());
    }
    case 'split':
      return writeSplit(res, reply, body, type, fault, later);
  }
  if (res.destroyed) return;
  res.writeHead(reply.status, { ...reply.headers, 'Content-Type': type, 'Content-Length': body.length });
  res.end(body);
}

function writeSplit(
  res: http.ServerResponse, reply: EndpointReply, body: Buffer, type: string,
  fault: { chunkSize?: number; intervalMs?: number }, later: (ms: number, fn: () => void) => void,
): void {
  res.writeHead(reply.status, { ...reply.headers, 'Content-Type': type, 'Content-Length': body.length });
  const size = Math.max(1, Math.floor(fault.chunkSize ?? 1));
  const step = (offset: number): void => {
    if (res.destroyed) return;
    const end = Math.min(body.length, offset + size);
    if (end >= body.length) return void res.end(body.subarray(offset));
    res.write(body.subarray(offset, end));
    later(fault.intervalMs ?? 1, () => step(end));
  };
  step(0);
}
