/**
 * Watches one device (or outlet) for a node: reads it at start (connecting
 * when it is not yet), polls it when asked, retries a device that is
 * unreachable until it answers, and reports what the node should show. One
 * timer at most, one read in flight at most, and a poll stands aside
 * (ifIdle) when commands wait for the device.
 */
import { EventEmitter } from 'events';
import type { EnergyReading } from '../classic/response';
import { DeviceBusyError } from '../errors';
import type { DeviceConnection } from '../device/connection';
import type { Device } from '../device/device';
import type { DeviceState, OutletOption } from '../device/types';
import { asInputError, outletOption, topicOf, type PlugTarget } from './plug-actions';

/** A poll that found the device busy tries again after 200 to 400 ms. */
const BUSY_RETRY_MS = 200;

export type PlugView =
  | { kind: 'connecting' }
  | { kind: 'state'; on: boolean; power?: number; brightness?: number }
  | { kind: 'offline'; error: Error };

export interface PlugMonitorOptions extends PlugTarget {
  /** Milliseconds between polls; 0 reads only at start (and retries until the device answers). */
  pollInterval: number;
  /** First retry delay when not polling, doubled up to retryMax (ms). */
  retryMin?: number;
  retryMax?: number;
}

export interface PlugMonitorEvents {
  /** The view changed: the node's status. */
  view: [view: PlugView];
  /** Polling saw a new on/off state (not emitted for changes the node reported through observe()). */
  state: [state: { on: boolean; alias: string; sysinfo: unknown; state: DeviceState }];
  /** Polling read the meter. */
  energy: [reading: { power: number; alias: string; energy: EnergyReading }];
  /** A read failed while the device was thought reachable (or at the first read). */
  unreachable: [error: Error];
}

export class PlugMonitor extends EventEmitter<PlugMonitorEvents> {
  private readonly connection: DeviceConnection;
  private readonly options: PlugMonitorOptions;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private busy = false;
  private failures = 0;
  private lastOn: boolean | undefined;
  private lastPower: number | undefined;
  private lastBrightness: number | undefined;
  private offline = false;
  private readonly onOffline = (error?: Error): void => this.markOffline(error ?? new Error('offline'));
  private readonly onOnline = (): void => {
    // Another node's request reached the device: read it now rather than at the next retry.
    if (this.offline && !this.busy) this.schedule(0);
  };

  constructor(options: PlugMonitorOptions) {
    super();
    this.connection = options.connection;
    this.options = options;
  }

  start(): void {
    this.stopped = false;
    this.connection.on('offline', this.onOffline);
    this.connection.on('online', this.onOnline);
    this.emit('view', { kind: 'connecting' });
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.connection.off('offline', this.onOffline);
    this.connection.off('online', this.onOnline);
  }

  /** A command's answer: the node shows it, and polling does not report it again as a change. */
  observe(on: boolean, state?: DeviceState): void {
    this.lastOn = on;
    if (state?.brightness !== undefined && this.options.outlet.trim() === '') this.lastBrightness = state.brightness;
    this.offline = false;
    this.showState();
  }

  /** A meter reading from a command: shown next to the state. */
  observePower(watts: number): void {
    this.lastPower = watts;
    this.offline = false;
    this.showState();
  }

  /** A command's failure to reach the device. */
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
      // A device just connected was read by the connect itself.
      const connected = this.connection.device !== undefined;
      const device = await this.connection.get();
      const state = connected ? await device.refresh({ ifIdle: true }) : device.state;
      const option = outletOption(device, this.options.outlet);
      const on = device.isOn(option);
      const alias = topicOf(device, option);
      const changed = on !== this.lastOn;
      this.lastOn = on;
      if (option.outlet === undefined) this.lastBrightness = state.brightness;
      let energy: EnergyReading | undefined;
      if (polling && device.energy) energy = await this.readEnergyUnlessBusy(device, option);
      if (this.stopped) return;
      this.failures = 0;
      this.offline = false;
      if (energy) this.lastPower = energy.power;
      this.showState();
      if (polling && changed) this.emit('state', { on, alias, sysinfo: device.info, state });
      if (energy) this.emit('energy', { power: energy.power, alias, energy });
      if (polling) this.schedule(this.options.pollInterval);
    } catch (error) {
      if (this.stopped) return;
      if (error instanceof DeviceBusyError && error.skipped) {
        // Commands (or another node's poll) have the device: try again soon, at a
        // random moment so that the outlets of one strip do not keep colliding.
        this.schedule(polling ? Math.min(this.options.pollInterval, BUSY_RETRY_MS + Math.random() * BUSY_RETRY_MS) : this.retryDelay());
        return;
      }
      const failure = asInputError(error);
      this.markOffline(failure instanceof Error ? failure : new Error(String(failure)));
      this.failures++;
      this.schedule(polling ? this.options.pollInterval : this.retryDelay());
    } finally {
      this.busy = false;
    }
  }

  /** The meter, or undefined when a command got in between the state and the meter reads. */
  private async readEnergyUnlessBusy(device: Device, option: OutletOption): Promise<EnergyReading | undefined> {
    try {
      return await device.energy?.read({ ...option, ifIdle: true });
    } catch (error) {
      if (error instanceof DeviceBusyError && error.skipped) return undefined;
      throw error;
    }
  }

  private retryDelay(): number {
    const min = this.options.retryMin ?? 1000;
    const max = this.options.retryMax ?? 30_000;
    return Math.min(max, min * 2 ** Math.min(this.failures - 1, 16));
  }

  private markOffline(error: Error): void {
    if (this.stopped) return;
    const wasOffline = this.offline;
    this.offline = true;
    this.emit('view', { kind: 'offline', error });
    if (!wasOffline) this.emit('unreachable', error);
    // Without polling nothing else would notice the device coming back.
    if (this.options.pollInterval <= 0 && !this.timer && !this.busy) {
      this.failures = Math.max(this.failures, 1);
      this.schedule(this.retryDelay());
    }
  }

  private showState(): void {
    if (this.lastOn === undefined) return;
    const view: PlugView = { kind: 'state', on: this.lastOn };
    if (this.lastPower !== undefined) view.power = this.lastPower;
    if (this.lastBrightness !== undefined) view.brightness = this.lastBrightness;
    this.emit('view', view);
  }
}
