/**
 * What a tplink-plug node shows and reports of its device (or outlet): the
 * on/off state, the power and a dimmer's brightness as its status, changes
 * seen by polling and the meter's readings as messages. When to read
 * (start, polls, retries, standing aside for commands) is DeviceWatch's.
 */
import { EventEmitter } from 'events';
import type { EnergyReading } from '../classic/response';
import { DeviceBusyError } from '../errors';
import { DeviceWatch } from './device-watch';
import type { Device } from '../device/device';
import type { DeviceState, OutletOption } from '../device/types';
import { asInputError, outletOption, topicOf, type PlugTarget } from './plug-actions';

export type PlugView =
  | { kind: 'connecting' }
  | { kind: 'state'; on: boolean; power?: number; brightness?: number }
  | { kind: 'offline'; error: Error };

/**
 * The brightness a node for the whole device shows beside "on": the light's,
 * and only while that light is on. A switch whose light is one of its outlets
 * (a KS240) is on while its fan runs with the light off; a brightness there
 * would read as the light being lit.
 */
export function statusBrightness(state: DeviceState): number | undefined {
  const lightOn = state.light?.on ?? state.on;
  return lightOn ? state.brightness : undefined;
}

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

/** One read of the plug: its state, and the meter when polling. */
interface PlugReading {
  on: boolean;
  alias: string;
  state: DeviceState;
  sysinfo: unknown;
  /** What the status shows beside "on" (statusBrightness); undefined for a node bound to an outlet. */
  brightness: number | undefined;
  energy: EnergyReading | undefined;
  /** The meter read failed after the state was read: the state is still reported, then the failure. */
  meterFailure: Error | undefined;
}

export class PlugMonitor extends EventEmitter<PlugMonitorEvents> {
  private readonly options: PlugMonitorOptions;
  private readonly watch: DeviceWatch<PlugReading>;
  private lastOn: boolean | undefined;
  private lastPower: number | undefined;
  private lastBrightness: number | undefined;
  private meterFailing = false;

  constructor(options: PlugMonitorOptions) {
    super();
    this.options = options;
    this.watch = new DeviceWatch<PlugReading>({
      connection: options.connection,
      pollInterval: options.pollInterval,
      retryMin: options.retryMin,
      retryMax: options.retryMax,
      read: (device, how) => this.read(device, how),
    });
    this.watch.on('connecting', () => this.emit('view', { kind: 'connecting' }));
    this.watch.on('reading', (reading) => this.report(reading));
    this.watch.on('offline', (error, first) => {
      this.emit('view', { kind: 'offline', error });
      if (first) this.emit('unreachable', error);
    });
  }

  start(): void {
    this.watch.start();
  }

  stop(): void {
    this.watch.stop();
  }

  /** A command's answer: the node shows it, and polling does not report it again as a change. */
  observe(on: boolean, state?: DeviceState): void {
    this.lastOn = on;
    if (state && this.options.outlet.trim() === '') this.lastBrightness = statusBrightness(state);
    this.watch.observeSuccess();
    this.showState();
  }

  /** A meter reading from a command: shown next to the state. */
  observePower(watts: number): void {
    this.lastPower = watts;
    this.watch.observeSuccess();
    this.showState();
  }

  /** A command's failure to reach the device. */
  observeFailure(error: Error): void {
    this.watch.observeFailure(error);
  }

  private async read(device: Device, how: { fresh: boolean; polling: boolean }): Promise<PlugReading> {
    try {
      // A device just connected was read by the connect itself.
      const state = how.fresh ? device.state : await device.refresh({ ifIdle: true });
      const option = outletOption(device, this.options.outlet);
      let energy: EnergyReading | undefined;
      let meterFailure: Error | undefined;
      if (how.polling && device.energy) {
        try {
          energy = await this.readEnergyUnlessBusy(device, option);
        } catch (error) {
          const failure = asInputError(error);
          meterFailure = failure instanceof Error ? failure : new Error(String(failure));
        }
      }
      return {
        on: device.isOn(option),
        alias: topicOf(device, option),
        state,
        sysinfo: device.info,
        brightness: option.outlet === undefined ? statusBrightness(state) : undefined,
        energy,
        meterFailure,
      };
    } catch (error) {
      throw asInputError(error);
    }
  }

  private report(reading: PlugReading): void {
    const changed = reading.on !== this.lastOn;
    this.lastOn = reading.on;
    this.lastBrightness = reading.brightness;
    if (reading.energy) this.lastPower = reading.energy.power;
    this.showState();
    const polling = this.options.pollInterval > 0;
    if (polling && changed) this.emit('state', { on: reading.on, alias: reading.alias, sysinfo: reading.sysinfo, state: reading.state });
    if (reading.energy) this.emit('energy', { power: reading.energy.power, alias: reading.alias, energy: reading.energy });
    this.showMeterFailure(reading.meterFailure);
  }

  /**
   * After the state: a change the poll saw is reported even when the meter
   * read then failed (a device whose meter always fails would otherwise never
   * report one). The failure shows as the status, and is warned of once
   * while the meter keeps failing; the device answered, so it is not offline.
   */
  private showMeterFailure(failure: Error | undefined): void {
    const wasFailing = this.meterFailing;
    this.meterFailing = failure !== undefined;
    if (!failure) return;
    this.emit('view', { kind: 'offline', error: failure });
    if (!wasFailing) this.emit('unreachable', failure);
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

  private showState(): void {
    if (this.lastOn === undefined) return;
    const view: PlugView = { kind: 'state', on: this.lastOn };
    if (this.lastPower !== undefined) view.power = this.lastPower;
    if (this.lastBrightness !== undefined) view.brightness = this.lastBrightness;
    this.emit('view', view);
  }
}
