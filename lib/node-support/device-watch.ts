/**
 * Keeps one node's view of one device: reads it at start (connecting when
 * the shared connection has not yet), polls it when asked, retries a device
 * that cannot be reached until it answers, and says when it went away and
 * came back. What a reading is belongs to the node kind (`read`); the
 * timing lives here once. One timer at most, one read in flight at most,
 * and a poll stands aside (ifIdle) while commands wait for the device.
 */
import { EventEmitter } from 'events';
import { DeviceBusyError } from '../errors';
import type { DeviceConnection } from '../device/connection';
import type { Device } from '../device/device';

/** A read that found the device busy tries again after 200 to 400 ms (a poll: no later than its next poll). */
const BUSY_RETRY_MS = 200;

export interface DeviceWatchOptions<Reading> {
  connection: DeviceConnection;
  /** Milliseconds between polls; 0 reads only at start (and retries until the device answers). */
  pollInterval: number;
  /** One reading. `ifIdle`: stand aside when requests wait. A device just connected was read by connecting: `fresh`. */
  read(device: Device, how: { ifIdle: boolean; fresh: boolean; polling: boolean }): Promise<Reading>;
  /** First retry delay when not polling, doubled up to retryMax (ms). */
  retryMin?: number;
  retryMax?: number;
}

export interface DeviceWatchEvents<Reading> {
  /** The first read is under way. */
  connecting: [];
  reading: [reading: Reading];
  /** A read or a command could not reach the device; `first`: it was thought reachable until now. */
  offline: [error: Error, first: boolean];
}

export class DeviceWatch<Reading> extends EventEmitter<DeviceWatchEvents<Reading>> {
  private readonly options: DeviceWatchOptions<Reading>;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private busy = false;
  private failures = 0;
  private away = false;
  private readonly onOffline = (error: Error): void => this.markOffline(error);
  private readonly onOnline = (): void => {
    // Another node's request reached the device: read it now rather than at the next retry.
    if (this.away && !this.busy) this.schedule(0);
  };

  constructor(options: DeviceWatchOptions<Reading>) {
    super();
    this.options = options;
  }

  get offline(): boolean {
    return this.away;
  }

  start(): void {
    this.stopped = false;
    this.options.connection.on('offline', this.onOffline);
    this.options.connection.on('online', this.onOnline);
    this.emit('connecting');
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.options.connection.off('offline', this.onOffline);
    this.options.connection.off('online', this.onOnline);
  }

  /** A command reached the device. */
  observeSuccess(): void {
    this.away = false;
  }

  /** A command could not reach the device. */
  observeFailure(error: Error): void {
    this.markOffline(error);
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.tick();
    }, delay);
  }

  private async tick(): Promise<void> {
    if (this.stopped || this.busy) return;
    this.busy = true;
    const polling = this.options.pollInterval > 0;
    try {
      const fresh = this.options.connection.device === undefined;
      const device = await this.options.connection.get();
      const reading = await this.options.read(device, { ifIdle: true, fresh, polling });
      if (this.stopped) return;
      this.failures = 0;
      this.away = false;
      this.emit('reading', reading);
      if (polling) this.schedule(this.options.pollInterval);
    } catch (error) {
      if (this.stopped) return;
      if (error instanceof DeviceBusyError && error.skipped) {
        // Commands (or another node's poll) have the device: try again soon, at a
        // random moment so that nodes on one device do not keep colliding. Not the
        // back-off, polling or not: a device busy with commands is not failing.
        const aside = BUSY_RETRY_MS + Math.random() * BUSY_RETRY_MS;
        this.schedule(polling ? Math.min(this.options.pollInterval, aside) : aside);
        return;
      }
      this.markOffline(error instanceof Error ? error : new Error(String(error)));
      this.failures++;
      this.schedule(polling ? this.options.pollInterval : this.retryDelay());
    } finally {
      this.busy = false;
    }
  }

  private retryDelay(): number {
    const min = this.options.retryMin ?? 1000;
    const max = this.options.retryMax ?? 30_000;
    return Math.min(max, min * 2 ** Math.min(Math.max(this.failures - 1, 0), 16));
  }

  private markOffline(error: Error): void {
    if (this.stopped) return;
    const first = !this.away;
    this.away = true;
    this.emit('offline', error, first);
    // Without polling nothing else would notice the device coming back.
    if (this.options.pollInterval <= 0 && !this.timer && !this.busy) {
      this.failures = Math.max(this.failures, 1);
      this.schedule(this.retryDelay());
    }
  }
}
