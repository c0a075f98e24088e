/**
 * Sends one Smart Home request as a UDP broadcast and collects every reply
 * until the timeout: the primitive under the CLI's `-b` and usable by
 * discovery. Replies are reported as they arrive, malformed ones included,
 * because one broken device must not hide the others.
 */
import * as dgram from 'dgram';
import * as net from 'net';
import { encodeDatagram, decodeDatagram } from './framing';
import { ConnectionError, ProtocolError } from '../errors';
import { parseReply, type SmartHomeResponse } from './response';
import { describe } from './transports/tcp';

export const DEFAULT_BROADCAST_ADDRESS = '255.255.255.255';
export const DEFAULT_BROADCAST_TIMEOUT = 500;
/** Bounds memory and work if something floods the socket. */
export const DEFAULT_MAX_REPLIES = 1024;

export interface BroadcastOptions {
  /** Destination address (default 255.255.255.255). */
  broadcast?: string;
  /** Destination port (default 9999). */
  port?: number;
  /** Milliseconds to collect replies (default 500). */
  timeout?: number;
  /** Source address to bind to (default: any). */
  sourceAddress?: string;
  /** Stop after this many replies (default 1024). */
  maxReplies?: number;
  /** Called for each reply as it arrives. */
  onReply?: (reply: BroadcastReply) => void;
  /** Stops collecting early; the replies so far are returned. */
  signal?: AbortSignal;
}

export type BroadcastReply =
  | { host: string; port: number; text: string; response: SmartHomeResponse; error?: undefined }
  | { host: string; port: number; text: string; response?: undefined; error: ProtocolError };

/**
 * Broadcasts `request` (an object or JSON text) and resolves to every reply
 * received before the timeout, in arrival order. Rejects with a
 * ConnectionError only when the socket cannot be bound or the datagram cannot be sent.
 */
export async function broadcastRequest(request: object | string, options: BroadcastOptions = {}): Promise<BroadcastReply[]> {
  const destination = options.broadcast ?? DEFAULT_BROADCAST_ADDRESS;
  const port = options.port ?? 9999;
  const where = { host: destination, port };
  const text = typeof request === 'string' ? request : JSON.stringify(request);
  const socket = await bindSocket(options.sourceAddress, where);
  const replies: BroadcastReply[] = [];
  const maxReplies = options.maxReplies ?? DEFAULT_MAX_REPLIES;
  try {
    await new Promise<void>((resolve, reject) => {
      const stop = (): void => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', stop);
        resolve();
      };
      const timer = setTimeout(stop, options.timeout ?? DEFAULT_BROADCAST_TIMEOUT);
      options.signal?.addEventListener('abort', stop);
      if (options.signal?.aborted) stop();
      socket.on('message', (message, rinfo) => {
        if (replies.length >= maxReplies) return;
        const reply = toBroadcastReply(message, rinfo.address, rinfo.port);
        replies.push(reply);
        try {
          options.onReply?.(reply);
        } catch {
          // The caller's bug: thrown from a socket event it would crash the process; the reply is still returned.
        }
        if (replies.length >= maxReplies) stop();
      });
      socket.on('error', (error) => {
        clearTimeout(timer);
        reject(new ConnectionError(`UDP socket error: ${describe(error)}`, where, error));
      });
      socket.send(encodeDatagram(text), port, destination, (error) => {
        if (!error) return;
        clearTimeout(timer);
        reject(new ConnectionError(`cannot send broadcast: ${describe(error)}`, where, error));
      });
    });
  } finally {
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
  return replies;
}

function bindSocket(sourceAddress: string | undefined, where: { host: string; port: number }): Promise<dgram.Socket> {
  return new Promise<dgram.Socket>((resolve, reject) => {
    const socket = dgram.createSocket(sourceAddress && net.isIPv6(sourceAddress) ? 'udp6' : 'udp4');
    const fail = (error: Error): void => {
      socket.close();
      reject(new ConnectionError(`cannot bind UDP socket to ${sourceAddress ?? 'any address'}: ${describe(error)}`, where, error));
    };
    socket.once('error', fail);
    socket.bind({ address: sourceAddress, port: 0 }, () => {
      socket.off('error', fail);
      socket.setBroadcast(true);
      resolve(socket);
    });
  });
}

function toBroadcastReply(message: Buffer, host: string, port: number): BroadcastReply {
  const text = decodeDatagram(message).toString('utf8');
  try {
    return { host, port, text, response: parseReply(text, { host, port }) };
  } catch (error) {
    return { host, port, text, error: error as ProtocolError };
  }
}
