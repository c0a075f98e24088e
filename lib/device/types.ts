/**
 * The device layer's vocabulary: what kinds of device there are, the one
 * state model every protocol family is read into, and the features a device
 * may have. Nothing here knows a protocol: the classic family
 * (state/classic.ts, classic/) and the SMART family map onto these types,
 * and everything above (node-support, nodes, CLI, discovery summaries) sees
 * only them.
 */
import type { JsonObject } from '../json';
import type { AntiTheftRule, CountdownRule, ScheduleRule, TimezoneSetting } from '../classic/commands';
import type { EnergyReading, EnergyStat } from '../classic/response';

export type { EnergyReading, EnergyStat } from '../classic/response';
export type { ScheduleRule, CountdownRule, AntiTheftRule, TimezoneSetting } from '../classic/commands';

/** What a device is, whatever protocol it speaks. */
export type DeviceKind = 'plug' | 'strip' | 'switch' | 'dimmer' | 'bulb' | 'lightstrip';

export const DEVICE_KINDS: readonly DeviceKind[] = ['plug', 'strip', 'switch', 'dimmer', 'bulb', 'lightstrip'];

/** Which protocol family it speaks: the Smart Home protocol (port 9999, or KLAP), or TP-Link's SMART protocol. */
export type DeviceFamily = 'classic' | 'smart';

/** The features a device can have; `DeviceState.features` lists the ones this device has. */
export type FeatureName =
  | 'power' | 'energy' | 'light' | 'dimmer' | 'schedule' | 'countdown' | 'antiTheft' | 'time' | 'led' | 'alias'
  | 'cloud' | 'wifi' | 'system';

/** Every feature in the order DeviceState.features lists them, whatever the family. */
export const FEATURE_ORDER: readonly FeatureName[] = [
  'power', 'energy', 'light', 'dimmer', 'schedule', 'countdown', 'antiTheft', 'time', 'led', 'alias', 'cloud', 'wifi', 'system',
];

/** One outlet of a power strip. */
export interface OutletState {
  /** 0-based position on the strip. */
  index: number;
  /** The full id the device expects when a request addresses this outlet. */
  id: string;
  alias: string;
  on: boolean;
}

/** A bulb's or light strip's light. Colour fields are the ones the light comes on with, also while off. */
export interface LightState {
  on: boolean;
  /** 0-100, on dimmable lights. */
  brightness?: number;
  /** Kelvin; 0 while a colour light shows a hue. */
  colorTemp?: number;
  /** 0-360, on colour lights. */
  hue?: number;
  /** 0-100, on colour lights. */
  saturation?: number;
  /** Light strips: the lighting effect playing, when one is. */
  effect?: string;
}

/** What a light can do: the values a light request may carry. */
export interface LightCapabilities {
  dimmable: boolean;
  color: boolean;
  /** [lowest, highest] kelvin, when the white is adjustable. */
  colorTempRange?: [number, number];
}

/** One device as last read (or as changed through the layer since). Plain JSON: it can travel in a flow message. */
export interface DeviceState {
  family: DeviceFamily;
  kind: DeviceKind;
  /** As the device names itself, with its region: "HS110(EU)". */
  model: string;
  alias: string;
  deviceId: string;
  mac: string;
  hardware?: string;
  firmware?: string;
  /** The relay or the light; a strip is on when any outlet is on. */
  on: boolean;
  /** Power strips' outlets, in position order; empty for other kinds. */
  outlets: OutletState[];
  /** Dimmers and dimmable lights: 0-100. */
  brightness?: number;
  /** Bulbs and light strips. */
  light?: LightState;
  lightCapabilities?: LightCapabilities;
  /**
   * The outlet that is the device's light, by index (a KS240's dimmer child): `light`, `brightness`
   * and a light node's on and off are that outlet's. Absent when the device itself is the light.
   */
  lightOutlet?: number;
  /**
   * Lights and dimmers that have no fade per request (SMART firmware): a transition is taken and
   * ignored, the change applies at once. Absent where a transition fades (or is refused).
   */
  ignoresTransition?: boolean;
  /** Features this device has, in FeatureName order. */
  features: FeatureName[];
}

/**
 * A device as discovery knows it before anyone read it (a SMART device found on UDP 20002): what it
 * is, but not its name nor whether it is on, which stay absent until it is read with its account.
 */
export type FoundDeviceState = Omit<DeviceState, 'alias' | 'on'> & { alias?: string; on?: boolean };

/**
 * What a caller names an outlet by: its index (0-based number), its short
 * id ("00", "3"), its full id, or its alias.
 */
export type OutletRef = number | string;

export interface OutletOption {
  /** One outlet of a strip; absent for the device itself (a whole strip). */
  outlet?: OutletRef;
}

export interface PowerOptions extends OutletOption {
  /** Lights and dimmers: milliseconds to fade over. */
  transition?: number;
}

export interface EnergyReadOptions extends OutletOption {
  /** Polling: read only when no other request waits (else a skipped DeviceBusyError). */
  ifIdle?: boolean;
}

/** A strip's whole reading carries each outlet's beside the sums. */
export type StripEnergyReading = EnergyReading & { outlets?: EnergyReading[] };

export interface EnergyFeature {
  /** The meter now; a whole strip sums its outlets. Both unit forms (W and mW, ...). */
  read(options?: EnergyReadOptions): Promise<StripEnergyReading>;
  /** Daily totals of a month; a whole strip sums its outlets day by day. */
  dayStats(year: number, month: number, options?: OutletOption): Promise<EnergyStat[]>;
  monthStats(year: number, options?: OutletOption): Promise<EnergyStat[]>;
  /** Clears the meter's statistics (administrative). */
  erase(options?: OutletOption): Promise<void>;
}

/** A light request: any subset; colour fields are checked against the light's capabilities first. */
export interface LightChange {
  on?: boolean;
  brightness?: number;
  colorTemp?: number;
  hue?: number;
  saturation?: number;
  /** Milliseconds to fade over. */
  transition?: number;
}

export interface LightFeature {
  readonly capabilities: LightCapabilities;
  /** Changes the light; resolves to the light as the device reports it afterwards. */
  set(change: LightChange): Promise<LightState>;
}

export interface DimmerFeature {
  /** 1-100 sets the level (on), 0 switches off; with a transition the dimmer fades there. */
  setBrightness(brightness: number, options?: { transition?: number }): Promise<DeviceState>;
}

/** get_rules as the device answers it: the rules (each with its id), and whatever else it sends (enable, version...). */
export type RuleList = { rule_list: Array<{ id: string } & JsonObject> } & JsonObject;

/** Schedule, countdown and anti-theft rules: one feature, three rule tables. */
export interface RuleFeature<Rule> {
  list(options?: OutletOption): Promise<RuleList>;
  /** Adds a rule; resolves to its id. */
  add(rule: Rule, options?: OutletOption): Promise<string>;
  edit(rule: Rule & { id: string }, options?: OutletOption): Promise<void>;
  delete(id: string, options?: OutletOption): Promise<void>;
  clear(options?: OutletOption): Promise<void>;
  /** Replaces every rule with this one (a countdown holds one rule); resolves to its id. */
  replace(rule: Rule, options?: OutletOption): Promise<string>;
}

export interface ScheduleFeature extends RuleFeature<ScheduleRule> {
  /** The next action the schedule will take. */
  nextAction(options?: OutletOption): Promise<JsonObject>;
}

export interface TimeFeature {
  get(): Promise<JsonObject>;
  timezone(): Promise<JsonObject>;
  setTimezone(setting: TimezoneSetting): Promise<void>;
}

export interface LedFeature {
  set(on: boolean): Promise<void>;
}

export interface AliasFeature {
  /** Renames the device, or one outlet of a strip. */
  set(alias: string, options?: OutletOption): Promise<void>;
}

/** Administrative: binds the device to a TP-Link cloud account. */
export interface CloudFeature {
  info(): Promise<JsonObject>;
  bind(username: string, password: string): Promise<void>;
  unbind(): Promise<void>;
}

/** Administrative: the device's Wi-Fi. */
export interface WifiFeature {
  /** Access points the device sees (a fresh scan takes it several seconds). */
  scan(options?: { timeout?: number }): Promise<JsonObject[]>;
  /** Moves the device to another network (key type 3: WPA2). */
  join(ssid: string, password: string, keyType?: number): Promise<void>;
}

/** Administrative: restarting and wiping the device. */
export interface SystemFeature {
  reboot(delaySeconds?: number): Promise<void>;
  factoryReset(delaySeconds?: number): Promise<void>;
}

/** The optional features; a device has the ones its state lists. */
export interface DeviceFeatures {
  energy?: EnergyFeature;
  light?: LightFeature;
  dimmer?: DimmerFeature;
  schedule?: ScheduleFeature;
  countdown?: RuleFeature<CountdownRule>;
  antiTheft?: RuleFeature<AntiTheftRule>;
  time?: TimeFeature;
  led?: LedFeature;
  alias?: AliasFeature;
  cloud?: CloudFeature;
  wifi?: WifiFeature;
  system?: SystemFeature;
}
