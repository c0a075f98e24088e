import { TcpTransport } from './tcp';
import { UdpTransport } from './udp';
import { KlapTransport } from '../../klap/transport';
import { AutoTransport } from './auto';
import type { Transport } from '../../transport';

export type TransportName = 'tcp' | 'udp' | 'klap' | 'auto';

export interface TransportOptions {
  host: string;
  port?: number;
  transport?: TransportName;
  idleTimeout?: number;
  /** Largest reply accepted, in bytes (default 1 MiB). */
  maxResponseSize?: number;
  localAddress?: string;
  /** KLAP: TP-Link cloud e-mail and password (blank for devices never bound to the cloud). */
  username?: string;
  password?: string;
  /** KLAP: the HTTP port (default 80). */
  klapPort?: number;
}

export function createTransport(options: TransportOptions): Transport {
  const kind = options.transport ?? 'tcp';
  switch (kind) {
    case 'tcp':
      return new TcpTransport({
        host: options.host, port: options.port, idleTimeout: options.idleTimeout,
        maxFrameLength: options.maxResponseSize, localAddress: options.localAddress,
      });
    case 'udp':
      return new UdpTransport({
        host: options.host, port: options.port, idleTimeout: options.idleTimeout, localAddress: options.localAddress,
      });
    case 'klap':
      // With KLAP alone, `port` means the HTTP port unless klapPort says otherwise.
      return new KlapTransport({
        host: options.host, port: options.klapPort ?? options.port, username: options.username,
        password: options.password, maxResponseSize: options.maxResponseSize,
      });
    case 'auto':
      return new AutoTransport({
        host: options.host, port: options.port, klapPort: options.klapPort, username: options.username,
        password: options.password, tcp: { idleTimeout: options.idleTimeout, maxFrameLength: options.maxResponseSize,
          localAddress: options.localAddress }, klap: { maxResponseSize: options.maxResponseSize },
      });
    default:
      throw new Error(`transport '${kind}' is not available`);
  }
}

export type { Transport, TransportKind } from '../../transport';
export { TcpTransport } from './tcp';
export { UdpTransport } from './udp';
export { KlapTransport } from '../../klap/transport';
export { AutoTransport } from './auto';
