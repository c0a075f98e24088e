/**
 * 'auto': speak the classic protocol on TCP 9999 and, when the device
 * refuses that connection (new firmware closes the port), switch to KLAP for
 * good. Once TCP has answered, the choice is fixed the other way too.
 */
import { ConnectionError } from '../../errors';
import { KlapTransport, type KlapTransportOptions } from '../../klap/transport';
import { TcpTransport, type TcpTransportOptions } from './tcp';
import type { Transport, TransportKind } from '../../transport';

export interface AutoTransportOptions {
  host: string;
  /** The TCP port (default 9999). */
  port?: number;
  /** The KLAP HTTP port (default 80). */
  klapPort?: number;
  username?: string;
  password?: string;
  tcp?: Omit<TcpTransportOptions, 'host' | 'port'>;
  klap?: Omit<KlapTransportOptions, 'host' | 'port' | 'username' | 'password'>;
}

export class AutoTransport implements Transport {
  private current: Transport;
  private decided = false;
  private readonly makeKlap: () => Transport;

  constructor(options: AutoTransportOptions) {
    this.current = new TcpTransport({ ...options.tcp, host: options.host, port: options.port });
    this.makeKlap = () =>
      new KlapTransport({
        ...options.klap,
        host: options.host,
        port: options.klapPort,
        username: options.username,
        password: options.password,
      });
  }

  get host(): string {
    return this.current.host;
  }
  get port(): number {
    return this.current.port;
  }
  get kind(): TransportKind {
    return this.current.kind;
  }

  async send(request: Buffer, timeout: number): Promise<Buffer> {
    if (this.decided) return this.current.send(request, timeout);
    const started = performance.now();
    try {
      const reply = await this.current.send(request, timeout);
      this.decided = true;
      return reply;
    } catch (error) {
      if (!(error instanceof ConnectionError && error.syscallCode === 'ECONNREFUSED')) throw error;
      // Refused means the request never left; KLAP gets what is left of the timeout.
      await this.current.close();
      this.current = this.makeKlap();
      this.decided = true;
      return this.current.send(request, Math.max(1, timeout - (performance.now() - started)));
    }
  }

  close(): Promise<void> {
    return this.current.close();
  }
}
