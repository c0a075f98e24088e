/**
 * UDP transport: one datagram out, one back, no length prefix. The socket is
 * kept between requests (unref'd) and closed after `idleTimeout`.
 */
import * as dgram from 'dgram';
import * as dns from 'dns';
import * as net from 'net';
import { encodeDatagram, decodeDatagram } from '../framing';
import { ConnectionError, TimeoutError, ClientClosedError, ProtocolError, type DeviceAddress } from '../../errors';
import { markRetriable, type Transport } from '../../transport';
import { describe } from './tcp';

export interface UdpTransportOptions {
  host: string;
  port?: number;
  idleTimeout?: number;
  /** Source address to send from. */
  localAddress?: string;
  /** Largest datagram accepted (default 64 KiB, the UDP maximum). */
  maxDatagramLength?: number;
}

export class UdpTransport implements Transport {
  readonly kind = 'udp' as const;
  readonly host: string;
  readonly port: number;
  private readonly idleTimeout: number;
  private readonly localAddress: string | undefined;
  private readonly maxDatagramLength: number;
  private socket: dgram.Socket | undefined;
  private remoteAddress: string | undefined;
  private waiting: ((message: Buffer) => void) | undefined;
  private failWaiting: ((error: Error) => void) | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  /** Counts close() calls: a send that was opening its socket across one must stop. */
  private generation = 0;

  constructor(options: UdpTransportOptions) {
    this.host = options.host;
    this.port = options.port ?? 9999;
    this.idleTimeout = options.idleTimeout ?? 10_000;
    this.localAddress = options.localAddress;
    this.maxDatagramLength = options.maxDatagramLength ?? 65_536;
  }

  private get address(): DeviceAddress {
    return { host: this.host, port: this.port };
  }

  async send(request: Buffer, timeout: number): Promise<Buffer> {
    this.clearIdleTimer();
    const generation = this.generation;
    const address = await this.resolve();
    if (generation !== this.generation) throw new ClientClosedError(this.address);
    const socket = await this.open(address);
    return new Promise<Buffer>((resolve, reject) => {
      const finish = (): void => {
        clearTimeout(timer);
        this.waiting = undefined;
        this.failWaiting = undefined;
        this.armIdleTimer();
      };
      const timer = setTimeout(() => {
        finish();
        reject(new TimeoutError(`no UDP reply within ${timeout} ms`, timeout, this.address));
      }, timeout);
      this.waiting = (message) => {
        finish();
        if (message.length > this.maxDatagramLength) {
          reject(new ProtocolError(`reply of ${message.length} bytes exceeds ${this.maxDatagramLength}`, this.address));
        } else {
          resolve(decodeDatagram(message));
        }
      };
      this.failWaiting = (error) => {
        finish();
        reject(error);
      };
      socket.ref();
      socket.send(encodeDatagram(request), this.port, address, (error) => {
        if (error) this.failWaiting?.(markRetriable(new ConnectionError(`cannot send: ${describe(error)}`, this.address, error)));
      });
    });
  }

  async close(): Promise<void> {
    this.generation += 1;
    this.clearIdleTimer();
    this.failWaiting?.(new ClientClosedError(this.address));
    const socket = this.socket;
    this.socket = undefined;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  private async resolve(): Promise<string> {
    if (this.remoteAddress) return this.remoteAddress;
    if (net.isIP(this.host)) return (this.remoteAddress = this.host);
    try {
      const { address } = await dns.promises.lookup(this.host, { family: 4 });
      return (this.remoteAddress = address);
    } catch (error) {
      throw markRetriable(new ConnectionError(`cannot resolve host: ${describe(error as Error)}`, this.address, error));
    }
  }

  private open(remote: string): Promise<dgram.Socket> {
    if (this.socket) return Promise.resolve(this.socket);
    const generation = this.generation;
    return new Promise<dgram.Socket>((resolve, reject) => {
      const socket = dgram.createSocket(net.isIPv6(remote) ? 'udp6' : 'udp4');
      const fail = (error: Error): void => {
        socket.close();
        reject(markRetriable(new ConnectionError(`cannot bind UDP socket: ${describe(error)}`, this.address, error)));
      };
      socket.once('error', fail);
      socket.bind({ address: this.localAddress, port: 0 }, () => {
        socket.off('error', fail);
        if (generation !== this.generation) {
          socket.close();
          reject(new ClientClosedError(this.address));
          return;
        }
        socket.on('error', (error) => {
          this.failWaiting?.(new ConnectionError(`UDP socket error: ${describe(error)}`, this.address, error));
        });
        socket.on('message', (message, rinfo) => {
          if (rinfo.address === remote && rinfo.port === this.port) this.waiting?.(message);
        });
        this.socket = socket;
        resolve(socket);
      });
    });
  }

  private armIdleTimer(): void {
    this.socket?.unref();
    this.clearIdleTimer();
    this.idleTimer = setTimeout(() => void this.close(), this.idleTimeout);
    this.idleTimer.unref();
  }

  private clearIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }
}
