/**
 * connect(): the way in. Reads the device once and returns a Device of the
 * kind it is, so that the first call made on it already knows whether to
 * switch a relay, a bulb's light or a light strip. Transports: 'tcp' (the
 * default), 'udp', 'klap', or 'auto' (TCP 9999, then KLAP when refused).
 */
import type { TransportName } from '../classic/transports';
import type { TrafficHook } from '../traffic';
import { ClassicFamily } from './classic/family';
import { Device } from './device';
import type { FamilyAdapter } from './family';

export interface ConnectOptions {
  host: string;
  /** TCP/UDP 9999 by default; with 'klap', the HTTP port (80). */
  port?: number;
  transport?: TransportName;
  /** TP-Link cloud account for KLAP (blank for devices never bound to the cloud). */
  username?: string;
  password?: string;
  /** Milliseconds per request (default 5000). */
  timeout?: number;
  /** Further attempts for requests that certainly never reached the device (default 2). */
  retries?: number;
  /** Source address to send from. */
  localAddress?: string;
  /** With 'auto': the KLAP HTTP port (default 80). */
  klapPort?: number;
  /** Sees every request and reply, secrets replaced (lib/traffic.ts). */
  onTraffic?: TrafficHook;
}

/** Reads the device and returns it; rejects (and releases every socket) when it cannot be read. */
export async function connect(options: ConnectOptions): Promise<Device> {
  if (!options || typeof options.host !== 'string' || options.host.trim() === '') throw new TypeError('connect() needs a host');
  return openDevice(ClassicFamily.open({
    host: options.host.trim(), port: options.port, transport: options.transport ?? 'tcp', username: options.username, password: options.password,
    timeout: options.timeout, retries: options.retries, localAddress: options.localAddress, klapPort: options.klapPort, onTraffic: options.onTraffic,
  }));
}

/** A Device over a family adapter made by hand (a custom transport, tests): read once, closed when it cannot be read. */
export async function openDevice(family: FamilyAdapter): Promise<Device> {
  try {
    return new Device(family, await family.read());
  } catch (error) {
    await family.close().catch(() => undefined);
    throw error;
  }
}
