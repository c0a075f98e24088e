/**
 * What a simulated device is and remembers: identity, alias, outlets with
 * their relays, meters and rules, the light or dimmer, cloud and time
 * settings; and what happens to it over time (rules firing, reset). The
 * request handlers change this state; they never see the network.
 * SimulatedDevice adds request dispatch on top, so that the handlers can
 * depend on this file without depending back on the dispatcher.
 */
import type { JsonObject } from '../json';
import { defaultAlias, deriveIdentity, resolveModel, type DeviceIdentity, type LightColour, type ModelName, type ModelSpec } from './models';
import { Outlet } from './outlet';
import type { Params } from './reply-errors';
import type { RuleEvent, ScheduleEnv } from './scheduler';

export type Clock = () => number;

export interface SimulatedDeviceOptions {
  /** A model name (`HS110`, `HS110v2`, `hs300`, ...). */
  model: ModelName;
  /** A model not in the model files (a device dump's, lib/simulator/fixture): used instead of looking `model` up. */
  spec?: ModelSpec;
  /** A strip's outlet ids as its firmware names them; default deviceId + 00, 01, ... */
  childIds?: string[];
  alias?: string;
  /** Seeds deviceId, MAC and load curves; the same seed gives the same device. Default: random. */
  seed?: string;
  deviceId?: string;
  mac?: string;
  /** Milliseconds since the epoch; inject one to make time and energy deterministic. Default Date.now. */
  clock?: Clock;
  /** Initial relay state (lights: light on). Default true, so that meters show a load. */
  on?: boolean;
  ledOff?: boolean;
  /** Local time = clock + this offset until a set_timezone says otherwise. Default 0. */
  utcOffsetMinutes?: number;
  /**
   * Energy already on each meter at start, Wh. Default 0. With historyDays
   * it is spread over those days; without, it counts in the total only.
   */
  initialTotalWh?: number;
  /** Days of daily energy records before today to make up at start (seeded, varying day to day). Default 0. */
  historyDays?: number;
  childAliases?: string[];
}

export interface LightState {
  on_off: number;
  mode: string;
  hue: number;
  saturation: number;
  color_temp: number;
  brightness: number;
}

export interface CloudState {
  username: string;
  server: string;
  binded: number;
}

export class DeviceState {
  readonly spec: ModelSpec;
  readonly clock: Clock;
  readonly seed: string;
  identity: DeviceIdentity;
  alias: string;
  ledOff: boolean;
  latitude = 0;
  longitude = 0;
  timezoneIndex = 18;
  ssid = 'SimulatedWiFi';
  /** Local time minus clock time, in ms. */
  localOffsetMs: number;
  rssi: number;
  /** The device itself (plugs, lights) or the strip as a whole (HS300: rules and defaults). */
  readonly main: Outlet;
  readonly children: Outlet[];
  /** Bulbs and light strips; undefined on everything else. */
  readonly light: LightState | undefined;
  readonly cloud: CloudState = { username: '', server: 'devs.tplinkcloud.com', binded: 0 };
  /** Dimmer tuning, echoed by get_dimmer_parameters (empty on other kinds). */
  readonly dimmer: Record<string, number>;
  brightness = 100;
  /** Light strips: the last transition a request gave, ms, as get_light_state reports it. */
  lightTransition: number;
  /** Light strips: lighting_effect_state; undefined on everything else. */
  effect: JsonObject | undefined;
  /** sysinfo preferred_state: light or dimmer presets. */
  presets: JsonObject[];
  /** A dimmer's motion and ambient light sensor settings (get_config), when it has them. */
  readonly sensors: { motion?: JsonObject; ambientLight?: JsonObject };
  /** Called on reboot / reset with the delay in seconds; the server takes the device off the network. */
  onRestart: ((delaySeconds: number) => void) | undefined;
  private readonly options: SimulatedDeviceOptions;
  /** Rules have acted up to this clock time. */
  private lastTick: number;

  constructor(options: SimulatedDeviceOptions) {
    this.options = options;
    this.spec = options.spec ?? resolveModel(options.model);
    this.clock = options.clock ?? Date.now;
    this.seed = options.seed ?? Math.random().toString(36).slice(2, 10);
    const derived = deriveIdentity(this.spec, this.seed);
    this.identity = { ...derived, deviceId: options.deviceId ?? derived.deviceId, mac: options.mac ?? derived.mac };
    this.alias = options.alias ?? defaultAlias(this.spec, this.seed);
    this.ledOff = options.ledOff ?? false;
    this.localOffsetMs = (options.utcOffsetMinutes ?? 0) * 60_000;
    this.rssi = -40 - (seedNumber(this.seed) % 30);
    this.dimmer = { ...this.spec.dimmer?.parameters };
    this.lightTransition = this.spec.light?.transition ?? 0;
    this.effect = copyOf(this.spec.light?.effect);
    this.presets = this.spec.presets.map((preset) => copyOf(preset));
    this.sensors = { motion: copyOf(this.spec.sensors?.motion), ambientLight: copyOf(this.spec.sensors?.ambientLight) };
    const now = this.clock();
    this.lastTick = now;
    const on = options.on ?? true;
    const hasMeter = this.spec.emeter !== 'none';
    const seedBase = seedNumber(this.seed);
    const history = { initialTotalWh: options.initialTotalWh, historyDays: options.historyDays, offsetMs: this.localOffsetMs };
    this.main = new Outlet({
      id: this.identity.deviceId, alias: this.alias, on, now, spec: this.spec, seed: seedBase,
      withMeter: hasMeter && this.spec.childCount === 0, ...history,
    });
    this.children = [];
    for (let i = 0; i < this.spec.childCount; i++) {
      this.children.push(new Outlet({
        id: options.childIds?.[i] ?? `${this.identity.deviceId}${String(i).padStart(2, '0')}`,
        alias: options.childAliases?.[i] ?? `Outlet ${i + 1}`,
        on: on && i % 2 === 0,
        now, spec: this.spec, seed: seedBase + 17 * (i + 1), withMeter: true, ...history,
      }));
    }
    this.light = this.spec.light ? startingLight(this.spec.light.initial, on) : undefined;
    this.syncLightLoad(now);
  }

  get deviceId(): string {
    return this.identity.deviceId;
  }

  get model(): string {
    return this.spec.model;
  }

  /** Every outlet a client can switch: the children of a strip, else the device itself. */
  get outlets(): Outlet[] {
    return this.children.length > 0 ? this.children : [this.main];
  }

  /** Local wall-clock time of the device, ms. */
  localTime(now: number = this.clock()): number {
    return now + this.localOffsetMs;
  }

  /**
   * Carries out every rule and timer action due since the last call, each
   * at its own instant (so on_time and energy are right even when a fake
   * clock jumped). The server calls this every second; a request calls it
   * first; a test with a fake clock may call it directly.
   */
  tick(now: number = this.clock()): void {
    if (now < this.lastTick) {
      // The clock was set back: act again from there on.
      this.lastTick = now;
      return;
    }
    const from = this.lastTick;
    this.lastTick = now;
    const env = this.scheduleEnv();
    for (const outlet of [this.main, ...this.children]) {
      for (const event of outlet.dueEvents(from, now, env)) {
        // An undated one-time rule may come up on several days of a long jump; only the first counts.
        if (event.rule && !event.rule.enable) continue;
        this.apply(outlet, event);
        if (event.disarm && event.rule) event.rule.enable = 0;
      }
    }
  }

  /** Local time and place, as rules see them. */
  scheduleEnv(): ScheduleEnv {
    // (0, 0) is what an unlocated device reports; nobody schedules from the Gulf of Guinea.
    const located = this.latitude !== 0 || this.longitude !== 0;
    return { offsetMs: this.localOffsetMs, place: located ? { latitude: this.latitude, longitude: this.longitude } : undefined };
  }

  private apply(outlet: Outlet, event: RuleEvent): void {
    if (this.light && outlet === this.main) {
      if (event.light) applyLight(this.light, event.light);
      else if (event.action === 0 || event.action === 1) this.light.on_off = event.action;
      this.syncLightLoad(event.at);
      return;
    }
    if (event.action !== 0 && event.action !== 1) return;
    // A strip's own rules (no child context) switch every outlet, as set_relay_state does.
    const targets = outlet === this.main && this.children.length > 0 ? this.children : [outlet];
    for (const target of targets) target.setRelay(event.action === 1, event.at, this.localOffsetMs);
  }

  findChild(id: string): Outlet | undefined {
    // Clients send the full id (deviceId + index); a short index is accepted too.
    const full = id.length <= 2 ? `${this.deviceId}${id.padStart(2, '0')}` : id;
    return this.children.find((c) => c.id.toUpperCase() === full.toUpperCase());
  }

  /** Lights draw power in proportion to brightness, none when off. */
  syncLightLoad(now: number): void {
    if (!this.light) return;
    this.main.setRelay(this.light.on_off === 1, now, this.localOffsetMs);
    this.main.meter?.update(now, this.localOffsetMs, { scale: this.light.brightness / 100 });
  }

  /** @deprecated the name from when only bulbs had a light; use syncLightLoad. */
  syncBulbLoad(now: number): void {
    this.syncLightLoad(now);
  }

  /** Factory reset: names, rules and settings back to defaults; identity kept. */
  reset(now: number): void {
    this.alias = this.options.alias ?? defaultAlias(this.spec, this.seed);
    this.ledOff = false;
    this.cloud.username = '';
    this.cloud.binded = 0;
    for (const [i, outlet] of [this.main, ...this.children].entries()) {
      outlet.schedule.deleteAll();
      outlet.countDown.deleteAll();
      outlet.antiTheft.deleteAll();
      if (i > 0) outlet.alias = `Outlet ${i}`;
      outlet.setRelay(false, now, this.localOffsetMs);
    }
    if (this.light) this.light.on_off = 0;
    this.effect = copyOf(this.spec.light?.effect);
    this.presets = this.spec.presets.map((preset) => copyOf(preset));
    this.lightTransition = this.spec.light?.transition ?? 0;
    this.syncLightLoad(now);
  }
}

/** A mutable copy of a (frozen) value from a model file. */
function copyOf<T extends JsonObject | undefined>(value: T): T {
  return value === undefined ? value : structuredClone(value);
}

function startingLight(initial: LightColour, on: boolean): LightState {
  return { on_off: on ? 1 : 0, ...initial };
}

/** A light rule's light state (s_light / e_light): known fields of the right type only. */
function applyLight(light: LightState, wanted: Params): void {
  for (const key of ['hue', 'saturation', 'color_temp', 'brightness'] as const) {
    const value = wanted[key];
    if (typeof value === 'number' && Number.isFinite(value)) light[key] = value;
  }
  if (typeof wanted.on_off === 'number') light.on_off = wanted.on_off ? 1 : 0;
  if (typeof wanted.mode === 'string') light.mode = wanted.mode;
}

/** A small stable number from a string, for phases and ranges. */
export function seedNumber(seed: string): number {
  let h = 2166136261;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619);
  return (h >>> 0) % 100_000;
}
