/**
 * connect(): the way in. Reads the device once and returns a Device of the
 * kind it is, so that the first call made on it already knows whether to
 * switch a relay, a bulb's light or a light strip, and which protocol
 * family to speak. Transports: 'tcp' (the default), 'udp', 'klap', 'aes',
 * or 'auto': the classic protocol on 9999, else KLAP or AES on HTTP, found
 * by asking the device (transport-choice.ts).
 */
import type { TrafficHook } from '../traffic';
import { Device } from './device';
import type { FamilyAdapter, FamilyRead } from './family';
import { chooseFamily, type DeviceTransport } from './transport-choice';
import type { DeviceFamily } from './types';

export interface ConnectOptions {
  host: string;
  /** TCP/UDP 9999 by default; with 'klap' or 'aes', the HTTP port (80). */
  port?: number;
  transport?: DeviceTransport;
  /** TP-Link cloud account for KLAP and AES (blank for devices never bound to the cloud). */
  username?: string;
  password?: string;
  /** Milliseconds per request (default 5000). */
  timeout?: number;
  /** Further attempts for requests that certainly never reached the device (default 2; classic family). */
  retries?: number;
  /** Source address to send from (classic family). */
  localAddress?: string;
  /** With 'auto': the HTTP port (default 80 when `port` is 9999, else `port`). */
  klapPort?: number;
  /** The family when known (discovery says it): saves the probe over KLAP. */
  family?: DeviceFamily;
  /** AES: the login_device version when known (discovery's `lv`). */
  loginVersion?: 1 | 2;
  /** Sees every request and reply, secrets replaced (lib/traffic.ts). */
  onTraffic?: TrafficHook;
}

/** Reads the device and returns it; rejects (and releases every socket) when it cannot be read. */
export async function connect(options: ConnectOptions): Promise<Device> {
  if (!options || typeof options.host !== 'string' || options.host.trim() === '') throw new TypeError('connect() needs a host');
  const choice = await chooseFamily({ ...options, host: options.host.trim(), transport: options.transport ?? 'tcp' });
  return openDevice(choice.family, choice.first);
}

/**
 * A Device over a family adapter made by hand (a custom transport, tests):
 * read once (unless `first` is that reading), closed when it cannot be read.
 */
export async function openDevice(family: FamilyAdapter, first?: FamilyRead): Promise<Device> {
  try {
    return new Device(family, first ?? await family.read());
  } catch (error) {
    await family.close().catch(() => undefined);
    throw error;
  }
}
