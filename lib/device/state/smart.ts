/**
 * The SMART family's state: THE one place where SMART replies
 * (get_device_info, component_nego, the child list and the children's
 * components) become a DeviceState. What a device is comes from its type
 * and the components it lists, as real firmware reports them:
 *   - SMART.TAPOBULB: with `light_strip` a light strip (L900, L920), else a bulb (L510, L530);
 *   - SMART.KASASWITCH: with `brightness` a dimmer (KS225, HS220 3.26), else a
 *     wall switch (KS205, HS200 5.26); one with `control_child` (KS240) is a
 *     switch whose children are its outlets, in the order it lists them (a
 *     KS240: the fan, then the light). A child that dims is the switch's
 *     light (`lightOutlet`): the light feature and a light node drive it, a
 *     plug node switches either child as an outlet; a fan's speed is not read;
 *   - plugs (SMART.TAPOPLUG, SMART.KASAPLUG): with `control_child` a power strip
 *     (P300, P304M, EP40M), else a plug (P100, P110, P115, KP125M, EP25); a
 *     plug with `brightness` (P135) dims as a dimmer does.
 * SMART lights and dimmers have no fade per request (on_off_gradually is a
 * standing setting of the device, for on and off only): their state says
 * `ignoresTransition`. Outlets keep the ids the device gave them: opaque
 * strings, used as they are.
 *
 * Discovery must name a kind before anyone logs in, from the type and model
 * its UDP 20002 reply gives: smartKindByModel goes by the models whose
 * components are known, and smartFoundState is such a device's state.
 */
import type { SmartComponents } from '../../smart/components';
import type { SmartDeviceInfo } from '../../smart/device-info';
import { anyOutletOn } from '../outlets';
import {
  FEATURE_ORDER, type DeviceKind, type DeviceState, type FeatureName, type FoundDeviceState, type LightCapabilities, type LightState, type OutletState,
} from '../types';

export interface SmartReading {
  info: SmartDeviceInfo;
  components: SmartComponents;
  /** Outlets in position order; empty for devices without control_child. */
  children: readonly SmartDeviceInfo[];
  /** The outlets' own components, by device_id (energy metering is per outlet). */
  childComponents: ReadonlyMap<string, SmartComponents>;
}

/** The component ids this mapping reads (as python-kasa and the apps name them). */
export const SMART_COMPONENT = {
  children: 'control_child',
  energy: 'energy_monitoring',
  brightness: 'brightness',
  color: 'color',
  colorTemperature: 'color_temperature',
  lightStrip: 'light_strip',
  time: 'time',
  led: 'led',
} as const;

export function smartKind(type: string | undefined, components: SmartComponents): DeviceKind {
  const kind = (type ?? '').toUpperCase();
  if (kind.endsWith('BULB')) return components.has(SMART_COMPONENT.lightStrip) ? 'lightstrip' : 'bulb';
  if (kind.endsWith('SWITCH')) {
    if (components.has(SMART_COMPONENT.children)) return 'switch';
    return components.has(SMART_COMPONENT.brightness) ? 'dimmer' : 'switch';
  }
  return components.has(SMART_COMPONENT.children) ? 'strip' : 'plug';
}

export function isSmartLight(kind: DeviceKind): boolean {
  return kind === 'bulb' || kind === 'lightstrip';
}

/**
 * A plug that dims its load (P135, type SMART.TAPOPLUG, fw 1.0.5 and
 * 1.2.0): it lists `brightness` (and `dimmer_calibration`) and reports a
 * brightness in get_device_info, as a wall dimmer does. It stays a plug,
 * as TP-Link sells it, with the dimmer feature a dimmer has.
 */
function dimmingPlug(kind: DeviceKind, components: SmartComponents): boolean {
  return kind === 'plug' && components.has(SMART_COMPONENT.brightness);
}

/** The first child that dims (a KS240's dimmer), by position among the children; undefined when none does. */
function dimmingChild(reading: SmartReading): number | undefined {
  const index = reading.children.findIndex((child) => reading.childComponents.get(child.deviceId)?.has(SMART_COMPONENT.brightness) === true);
  return index < 0 ? undefined : index;
}

/** The energy_monitoring version of the device, or of one outlet; undefined where nothing meters. */
export function energyVersionOf(reading: Pick<SmartReading, 'components' | 'childComponents'>, outletId?: string): number | undefined {
  const components = outletId === undefined ? reading.components : reading.childComponents.get(outletId);
  return components?.get(SMART_COMPONENT.energy);
}

function featuresOf(kind: DeviceKind, reading: SmartReading): FeatureName[] {
  const { components } = reading;
  const has = new Set<FeatureName>(['power', 'alias', 'system']);
  const outletsMeter = reading.children.some((child) => energyVersionOf(reading, child.deviceId) !== undefined);
  if (energyVersionOf(reading) !== undefined || outletsMeter) has.add('energy');
  if (isSmartLight(kind) || dimmingChild(reading) !== undefined) has.add('light');
  if (kind === 'dimmer' || dimmingPlug(kind, components)) has.add('dimmer');
  if (components.has(SMART_COMPONENT.time)) has.add('time');
  if (components.has(SMART_COMPONENT.led)) has.add('led');
  return FEATURE_ORDER.filter((f) => has.has(f));
}

export function smartState(reading: SmartReading): DeviceState {
  const { info, components } = reading;
  const kind = smartKind(info.type, components);
  const outlets: OutletState[] = reading.children.map((child, index) => ({
    index, id: child.deviceId, alias: child.nickname ?? '', on: child.on === true,
  }));
  const state: DeviceState = {
    family: 'smart',
    kind,
    model: info.model,
    alias: info.nickname ?? '',
    deviceId: info.deviceId,
    mac: info.mac ?? '',
    // A parent with outlets has no relay of its own (no device_on): it is on when any outlet is.
    on: outlets.length > 0 ? anyOutletOn(outlets) : info.on === true,
    outlets,
    features: featuresOf(kind, reading),
  };
  if (info.hardware !== undefined) state.hardware = info.hardware;
  if (info.firmware !== undefined) state.firmware = info.firmware;
  if (isSmartLight(kind)) {
    const light = smartLightState(info, components);
    state.light = light;
    state.lightCapabilities = smartLightCapabilities(info, components);
    if (light.brightness !== undefined) state.brightness = light.brightness;
  } else if ((kind === 'dimmer' || dimmingPlug(kind, components)) && info.brightness !== undefined) {
    state.brightness = info.brightness;
  }
  const lightOutlet = dimmingChild(reading);
  if (lightOutlet !== undefined) withOutletLight(state, reading, lightOutlet);
  if (isSmartLight(kind) || kind === 'dimmer' || dimmingPlug(kind, components) || lightOutlet !== undefined) state.ignoresTransition = true;
  return state;
}

/** A switch whose light is one of its children (KS240): the light, its brightness and what it can do are that child's. */
function withOutletLight(state: DeviceState, reading: SmartReading, index: number): void {
  const child = reading.children[index];
  const components = reading.childComponents.get(child.deviceId) ?? new Map<string, number>();
  const light = smartLightState(child, components);
  state.lightOutlet = index;
  state.light = light;
  state.lightCapabilities = smartLightCapabilities(child, components);
  if (light.brightness !== undefined) state.brightness = light.brightness;
}

/** A light as get_device_info reports it: colour fields only for the components the light has; colour temperature 0 in colour mode. */
export function smartLightState(info: SmartDeviceInfo, components: SmartComponents): LightState {
  const light: LightState = { on: info.on === true };
  if (components.has(SMART_COMPONENT.brightness) && info.brightness !== undefined) light.brightness = info.brightness;
  if (components.has(SMART_COMPONENT.colorTemperature) && info.colorTemp !== undefined) light.colorTemp = info.colorTemp;
  if (components.has(SMART_COMPONENT.color)) {
    if (info.hue !== undefined) light.hue = info.hue;
    if (info.saturation !== undefined) light.saturation = info.saturation;
  }
  if (info.effect !== undefined) light.effect = info.effect;
  return light;
}

/** A white range of one value (L900 reports [9000, 9000]) is no adjustable white. */
export function smartLightCapabilities(info: SmartDeviceInfo, components: SmartComponents): LightCapabilities {
  const capabilities: LightCapabilities = { dimmable: components.has(SMART_COMPONENT.brightness), color: components.has(SMART_COMPONENT.color) };
  const range = info.colorTempRange;
  if (components.has(SMART_COMPONENT.colorTemperature) && range && range[0] > 0 && range[0] < range[1]) capabilities.colorTempRange = [range[0], range[1]];
  return capabilities;
}

const LIGHT_STRIP_MODELS = new Set(['L900', 'L920', 'L930']);
const STRIP_MODELS = new Set(['P210M', 'P300', 'P304M', 'P306', 'P316M', 'TP25', 'EP40M']);
const DIMMER_MODELS = new Set(['KS225', 'HS220', 'S500D', 'S505D', 'S515D']);

/** "P110(EU)" -> "P110", "L900-10(US)" -> "L900": the model without region and length. */
export function baseModel(model: string): string {
  return /^[A-Z0-9]+/.exec(model.trim().toUpperCase())?.[0] ?? '';
}

/**
 * The kind of a SMART device from its type and model alone, before its
 * components are read, by the models whose components are known (the
 * strips list control_child, the light strips light_strip, the dimming
 * switches brightness): every other bulb a bulb, plug a plug, switch a wall
 * switch (KS205, KS240, HS200...). Undefined for types this pack does not
 * drive (hubs, cameras, chimes, vacuums).
 */
export function smartKindByModel(deviceType: string, model: string): DeviceKind | undefined {
  const type = deviceType.toUpperCase();
  const base = baseModel(model);
  if (type === 'SMART.TAPOBULB') return LIGHT_STRIP_MODELS.has(base) ? 'lightstrip' : 'bulb';
  if (type === 'SMART.TAPOPLUG' || type === 'SMART.KASAPLUG') return STRIP_MODELS.has(base) ? 'strip' : 'plug';
  if (type === 'SMART.KASASWITCH' || type === 'SMART.TAPOSWITCH') return DIMMER_MODELS.has(base) ? 'dimmer' : 'switch';
  return undefined;
}

/** A SMART device found but not read: its kind by type and model; its name, whether it is on and its outlets unknown yet. */
export function smartFoundState(found: { deviceType: string; model: string; deviceId: string; mac: string | undefined }): FoundDeviceState | undefined {
  const kind = smartKindByModel(found.deviceType, found.model);
  if (kind === undefined) return undefined;
  return { family: 'smart', kind, model: found.model, deviceId: found.deviceId, mac: found.mac ?? '', outlets: [], features: [] };
}
