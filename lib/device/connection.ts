/**
 * DeviceConnection: one device shared by many users (every node on one
 * tplink-config), made to outlive the device being away. A Device exists
 * only once it has been read, but a flow is deployed whether the plug is
 * plugged in or not: the connection connects on first use, lets concurrent
 * callers share that one attempt, tries again on the next use after a
 * failure, and from then on keeps the Device (whose request client reopens
 * its socket by itself when the device comes back).
 */
import { EventEmitter } from 'events';
import { ClientClosedError } from '../errors';
import type { TrafficHook } from '../traffic';
import { connect, type ConnectOptions } from './connect';
import type { Device } from './device';

export interface DeviceConnectionEvents {
  /** The device answered (first connected, or back after being unreachable). */
  online: [];
  /** A connect attempt or a request could not reach the device. */
  offline: [error: Error];
}

export class DeviceConnection extends EventEmitter<DeviceConnectionEvents> {
  // A true private field: util.inspect and JSON.stringify of the connection must not show the account in it.
  readonly #options: ConnectOptions;
  private readonly open: (options: ConnectOptions) => Promise<Device>;
  private current: Device | undefined;
  private attempt: Promise<Device> | undefined;
  private failed = false;
  private closed = false;

  /** `open` stands in for connect() (tests). */
  constructor(options: ConnectOptions, open: (options: ConnectOptions) => Promise<Device> = connect) {
    super();
    this.#options = { ...options };
    this.open = open;
  }

  get host(): string {
    return this.#options.host;
  }

  /** The device once connected. */
  get device(): Device | undefined {
    return this.current;
  }

  /** Like Device.online, and false after a failed connect attempt. */
  get online(): boolean | undefined {
    if (this.current) return this.current.online;
    return this.failed ? false : undefined;
  }

  /** The device, connecting first when it is not yet; rejects with the attempt's error (the next call tries again). */
  get(): Promise<Device> {
    if (this.closed) return Promise.reject(new ClientClosedError({ host: this.#options.host, port: this.#options.port ?? 0 }));
    if (this.current) return Promise.resolve(this.current);
    this.attempt ??= this.connectOnce();
    return this.attempt;
  }

  /** Sets (or removes) the traffic hook, for the device now and for a later connect. */
  setTrafficHook(hook: TrafficHook | undefined): void {
    this.#options.onTraffic = hook;
    this.current?.setTrafficHook(hook);
  }

  async close(): Promise<void> {
    this.closed = true;
    const pending = this.attempt;
    const device = this.current;
    this.current = undefined;
    if (device) await device.close();
    // An attempt under way closes its own device when it ends (see connectOnce).
    if (pending) await pending.then(() => undefined, () => undefined);
  }

  private async connectOnce(): Promise<Device> {
    try {
      const device = await this.open(this.#options);
      if (this.closed) {
        await device.close();
        throw new ClientClosedError(device.address);
      }
      this.current = device;
      this.failed = false;
      device.on('online', () => this.emit('online'));
      device.on('offline', (error) => this.emit('offline', error));
      this.emit('online');
      return device;
    } catch (error) {
      if (!this.closed) {
        this.failed = true;
        this.emit('offline', error instanceof Error ? error : new Error(String(error)));
      }
      throw error;
    } finally {
      this.attempt = undefined;
    }
  }
}
