/**
 * Device: one device of any kind and either family, as everything above the
 * protocols sees it. It holds the state (read when connecting, so every
 * call works as the first call), finds outlets (outlets.ts), and owns what
 * is the same for every family: a strip is on when any outlet is on,
 * toggling reads the device first and turns an on strip off (every outlet),
 * a whole strip's energy is the sum of its outlets'. The family adapter
 * (family.ts) does the talking.
 */
import { EventEmitter } from 'events';
import type { DeviceAddress } from '../errors';
import type { JsonObject } from '../json';
import type { TrafficHook } from '../traffic';
import { sumReadings, sumStats } from './energy';
import { unknownOutlet, unsupported } from './errors';
import type { EnergyMeter, FamilyAdapter, FamilyFeatures, FamilyRead, FeatureContext } from './family';
import { checkTransition, dimmingOutlet, withLight, withOutlets } from './light';
import { findOutlet } from './outlets';
import type {
  AliasFeature, AntiTheftRule, CloudFeature, CountdownRule, DeviceFamily, DeviceFeatures, DeviceKind, DeviceState, DimmerFeature, EnergyFeature,
  LedFeature, LightFeature, LightState, OutletOption, OutletRef, OutletState, PowerOptions, RuleFeature, ScheduleFeature, SystemFeature,
  TimeFeature, WifiFeature,
} from './types';

export interface DeviceEvents {
  /** A request reached the device after one could not. */
  online: [];
  /** A request could not reach the device. */
  offline: [error: Error];
}

export interface RawOptions extends OutletOption {
  timeout?: number;
}

export class Device extends EventEmitter<DeviceEvents> implements DeviceFeatures {
  private readonly adapter: FamilyAdapter;
  private current: DeviceState;
  private lastInfo: JsonObject;
  private features: DeviceFeatures;
  private readonly context: FeatureContext;
  private readonly stopWatching: () => void;

  /** Made by connect(): a device always starts from a reading. */
  constructor(adapter: FamilyAdapter, first: FamilyRead) {
    super();
    this.adapter = adapter;
    this.current = first.state;
    this.lastInfo = first.info;
    const address = (): DeviceAddress => this.address;
    this.context = {
      // A getter: an 'auto' transport changes port once it settles.
      get address() {
        return address();
      },
      state: () => this.current,
      outlet: (options) => this.targetOf(options),
      update: (change) => {
        this.current = change(this.current);
      },
    };
    this.features = this.bindFeatures();
    this.stopWatching = adapter.onReachability((online, error) => {
      if (online) this.emit('online');
      else this.emit('offline', error ?? new Error(`${this.host}:${this.port} unreachable`));
    });
  }

  get family(): DeviceFamily {
    return this.adapter.family;
  }

  get host(): string {
    return this.adapter.host;
  }

  get port(): number {
    return this.adapter.port;
  }

  get address(): DeviceAddress {
    return { host: this.adapter.host, port: this.adapter.port };
  }

  /** 'tcp', 'udp', 'klap' or 'aes': the transport in use. */
  get transportName(): string {
    return this.adapter.transportName;
  }

  get online(): boolean | undefined {
    return this.adapter.online;
  }

  /** The state as last read, or as changed through this device since. */
  get state(): DeviceState {
    return this.current;
  }

  get kind(): DeviceKind {
    return this.current.kind;
  }

  /** The family's own description as last read (classic: the get_sysinfo reply). */
  get info(): JsonObject {
    return this.lastInfo;
  }

  get energy(): EnergyFeature | undefined {
    return this.features.energy;
  }
  get light(): LightFeature | undefined {
    return this.features.light;
  }
  get dimmer(): DimmerFeature | undefined {
    return this.features.dimmer;
  }
  get schedule(): ScheduleFeature | undefined {
    return this.features.schedule;
  }
  get countdown(): RuleFeature<CountdownRule> | undefined {
    return this.features.countdown;
  }
  get antiTheft(): RuleFeature<AntiTheftRule> | undefined {
    return this.features.antiTheft;
  }
  get time(): TimeFeature | undefined {
    return this.features.time;
  }
  get led(): LedFeature | undefined {
    return this.features.led;
  }
  get alias(): AliasFeature | undefined {
    return this.features.alias;
  }
  get cloud(): CloudFeature | undefined {
    return this.features.cloud;
  }
  get wifi(): WifiFeature | undefined {
    return this.features.wifi;
  }
  get system(): SystemFeature | undefined {
    return this.features.system;
  }

  /** Reads the device again. `ifIdle`: polling, stand aside (skipped DeviceBusyError) when requests wait. */
  refresh(options: { ifIdle?: boolean } = {}): Promise<DeviceState> {
    // A poll calls this every few seconds for every device: no await layer of its own.
    return this.adapter.read(options).then((read) => this.took(read));
  }

  /** The outlet `ref` names; a DeviceInputError when the device has no such outlet. */
  outlet(ref: OutletRef): OutletState {
    const found = findOutlet(this.current.outlets, ref);
    if (!found) throw unknownOutlet(ref, this.current.outlets.length, this.address);
    return found;
  }

  /** On or off as last known: the device (a strip: any outlet) or one outlet. */
  isOn(options: OutletOption = {}): boolean {
    return this.targetOf(options)?.on ?? this.current.on;
  }

  /** Switches the device (a whole strip: every outlet) or one outlet; resolves to the state after. */
  async setPower(on: boolean, options: PowerOptions = {}): Promise<DeviceState> {
    const outlet = this.targetOf(options);
    const transition = options.transition === undefined ? undefined : checkTransition(options.transition, this.address);
    const light = await this.adapter.setPower(this.current, on, outlet, transition === undefined ? {} : { transition });
    this.current = switched(this.current, on, outlet, light);
    return this.current;
  }

  /**
   * What a brightness asked of `options` sets: {} for the device itself, or
   * the outlet that dims (a whole KS240: its dimmer child); a
   * DeviceInputError where nothing there dims (light.ts dimmingOutlet).
   */
  dimmingTarget(options: OutletOption = {}): OutletOption {
    const outlet = dimmingOutlet(this.current, this.targetOf(options), this.address);
    return outlet === undefined ? {} : { outlet: outlet.index };
  }

  /**
   * Sets a brightness where dimmingTarget says it goes, through the dimmer
   * or the light; 0 switches that off, as a dimmer does. Refused before
   * anything is sent where nothing dims. Resolves to the state after.
   */
  async setBrightness(brightness: number, options: PowerOptions = {}): Promise<DeviceState> {
    const outlet = dimmingOutlet(this.current, this.targetOf(options), this.address);
    const transition = options.transition === undefined ? {} : { transition: options.transition };
    // A dimmer is the device itself; a light that is an outlet is reached only through the light feature.
    if (outlet === undefined && this.features.dimmer) await this.features.dimmer.setBrightness(brightness, transition);
    else if (this.features.light) await this.features.light.set(brightness === 0 ? { on: false, ...transition } : { brightness, ...transition });
    else throw unsupported('brightness', this.current.model, this.address);
    return this.current;
  }

  /** Reads the device, then sets the opposite: an on strip (any outlet on) goes off, every outlet. */
  async toggle(options: PowerOptions = {}): Promise<DeviceState> {
    await this.refresh();
    return this.setPower(!this.isOn(options), options);
  }

  /** The family's raw channel: the request as the protocol writes it, the reply as the device sent it (err_codes included). */
  request(message: JsonObject | string, options: RawOptions = {}): Promise<JsonObject> {
    const outlet = this.targetOf(options);
    return this.adapter.request(message, { outlet, timeout: options.timeout });
  }

  /** Sets (or with undefined removes) the hook that sees every request and reply, secrets replaced. */
  setTrafficHook(hook: TrafficHook | undefined): void {
    this.adapter.setTrafficHook(hook);
  }

  async close(): Promise<void> {
    this.stopWatching();
    await this.adapter.close();
  }

  /** A new reading becomes the state; the features follow a change of kind (a device replaced at the same address). */
  private took(read: FamilyRead): DeviceState {
    const before = this.current;
    this.current = read.state;
    this.lastInfo = read.info;
    if (before.kind !== read.state.kind || !sameFeatures(before.features, read.state.features)) this.features = this.bindFeatures();
    return this.current;
  }

  private targetOf(options: OutletOption | undefined): OutletState | undefined {
    const ref = options?.outlet;
    if (ref === undefined || (typeof ref === 'string' && ref.trim() === '')) return undefined;
    return this.outlet(ref);
  }

  private bindFeatures(): DeviceFeatures {
    const { energy, ...rest } = this.adapter.features(this.current, this.context) as FamilyFeatures;
    return energy === undefined ? rest : { ...rest, energy: this.energyOf(energy) };
  }

  /** The family's meter, with a whole strip summed over its outlets. */
  private energyOf(meter: EnergyMeter): EnergyFeature {
    const wholeStrip = (options?: OutletOption): OutletState[] | undefined => {
      const outlet = this.targetOf(options);
      return outlet === undefined && this.current.kind === 'strip' && this.current.outlets.length > 0 ? this.current.outlets : undefined;
    };
    return {
      read: async (options = {}) => {
        const outlets = wholeStrip(options);
        if (!outlets) return meter.read(this.targetOf(options), { ifIdle: options.ifIdle });
        const readings = [];
        for (const outlet of outlets) readings.push(await meter.read(outlet, { ifIdle: options.ifIdle }));
        return sumReadings(readings);
      },
      dayStats: async (year, month, options) => {
        const outlets = wholeStrip(options);
        if (!outlets) return meter.dayStats(year, month, this.targetOf(options));
        const lists = [];
        for (const outlet of outlets) lists.push(await meter.dayStats(year, month, outlet));
        return sumStats(lists);
      },
      monthStats: async (year, options) => {
        const outlets = wholeStrip(options);
        if (!outlets) return meter.monthStats(year, this.targetOf(options));
        const lists = [];
        for (const outlet of outlets) lists.push(await meter.monthStats(year, outlet));
        return sumStats(lists);
      },
      erase: async (options) => {
        const outlets = wholeStrip(options);
        if (!outlets) return meter.erase(this.targetOf(options));
        for (const outlet of outlets) await meter.erase(outlet);
      },
    };
  }
}

function sameFeatures(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, i) => name === b[i]);
}

/** The state after a switch the device confirmed: the outlet, every outlet of a whole strip, or the device (a light as it reported). */
function switched(state: DeviceState, on: boolean, outlet: OutletState | undefined, light: LightState | undefined): DeviceState {
  if (outlet !== undefined || state.outlets.length > 0) {
    return withOutlets(state, state.outlets.map((o) => (outlet === undefined || o.index === outlet.index ? { ...o, on } : o)));
  }
  if (light !== undefined) return withLight(state, light);
  if (state.light !== undefined) return withLight(state, { ...state.light, on });
  return { ...state, on };
}
