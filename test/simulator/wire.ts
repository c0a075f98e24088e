/**
 * Raw wire access for simulator tests: what exactly the device sends,
 * without any client smoothing it over.
 */
import * as dgram from 'dgram';
import * as net from 'net';
import { decodeDatagram, encodeDatagram, encodeFrame, FrameDecoder } from '../../lib/classic/framing';

export interface RawExchange {
  /** Every chunk as received, in order. */
  chunks: Buffer[];
  bytes: Buffer;
  /** Decrypted payloads of complete frames. */
  frames: Buffer[];
  /** 'end' (peer closed), 'frame' (a full frame came), 'timeout'. */
  outcome: 'end' | 'frame' | 'timeout';
}

/** Sends one request and collects the reply bytes until a full frame, the peer closing, or `timeoutMs`. */
export function tcpExchange(host: string, port: number, request: object | string, timeoutMs = 2000): Promise<RawExchange> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const chunks: Buffer[] = [];
    const decoder = new FrameDecoder(0x7fff_ffff);
    const frames: Buffer[] = [];
    let done = false;
    const finish = (outcome: RawExchange['outcome']): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ chunks, bytes: Buffer.concat(chunks), frames, outcome });
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    socket.on('connect', () => socket.write(encodeFrame(typeof request === 'string' ? request : JSON.stringify(request))));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const decoded = decoder.push(chunk);
      frames.push(...decoded.frames);
      if (frames.length > 0) finish('frame');
    });
    socket.on('end', () => finish('end'));
    socket.on('close', () => finish('end'));
    socket.on('error', (error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      reject(error);
    });
  });
}

export async function tcpRequest(host: string, port: number, request: object): Promise<Record<string, unknown>> {
  const reply = await tcpExchange(host, port, request);
  if (reply.frames.length !== 1) throw new Error(`expected one frame, got ${reply.outcome} with ${reply.bytes.length} bytes`);
  return JSON.parse(reply.frames[0].toString('utf8')) as Record<string, unknown>;
}

/** Sends one datagram and collects every reply (with its source) for `waitMs`. */
export function udpExchange(host: string, port: number, request: object, waitMs = 300, broadcast = false): Promise<Array<{ from: dgram.RemoteInfo; payload: string }>> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    const replies: Array<{ from: dgram.RemoteInfo; payload: string }> = [];
    socket.on('message', (message, from) => replies.push({ from, payload: decodeDatagram(message).toString('utf8') }));
    socket.on('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      if (broadcast) socket.setBroadcast(true);
      socket.send(encodeDatagram(JSON.stringify(request)), port, host);
      setTimeout(() => socket.close(() => resolve(replies)), waitMs);
    });
  });
}

export function connectionRefused(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.on('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

/** A settable clock for deterministic time. */
export function fakeClock(start = Date.UTC(2024, 0, 15, 12, 0, 0)): { now: () => number; advance: (ms: number) => void; set: (t: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => { t += ms; }, set: (v) => { t = v; } };
}
