/**
 * The classic family's state: THE one place where a Smart Home protocol
 * reply (get_sysinfo, a light state reply) becomes a DeviceState. What a
 * device is comes from what its sysinfo says, as real firmware reports it
 * (checked against the 84 devices python-kasa records):
 *   - a dev_name with "Dimmer" is a dimmer (HS220, KS220, KS230, ES20M, KP405);
 *   - IOT.SMARTPLUGSWITCH: with `children` a power strip, with a "light"
 *     dev_name a wall switch, with a brightness a dimmer, else a plug;
 *   - IOT.SMARTBULB: with `length` a light strip, else a bulb.
 * Outlets get their full child ids here (fullChildId) and nowhere else.
 */
import type { LightStateReply, SysInfo } from '../../classic/replies';
import { fullChildId, anyOutletOn } from '../outlets';
import { FEATURE_ORDER, type DeviceKind, type DeviceState, type FeatureName, type LightCapabilities, type LightState, type OutletState } from '../types';

export function classicKind(sysinfo: SysInfo): DeviceKind {
  const type = (sysinfo.type ?? sysinfo.mic_type ?? '').toLowerCase();
  const devName = sysinfo.dev_name ?? '';
  if (devName.includes('Dimmer')) return 'dimmer';
  if (type.includes('smartbulb')) return sysinfo.length !== undefined ? 'lightstrip' : 'bulb';
  if (sysinfo.children !== undefined) return 'strip';
  if (devName.toLowerCase().includes('light')) return 'switch';
  if (sysinfo.brightness !== undefined) return 'dimmer';
  return 'plug';
}

/** Lights (bulbs, light strips) speak the smartlife.iot.* modules; everything else the plug modules. */
export function isLightKind(kind: DeviceKind): boolean {
  return kind === 'bulb' || kind === 'lightstrip';
}

/** What each kind has; energy only where the device meters (plugs: "ENE" in `feature`; lights always). */
function featureListOf(kind: DeviceKind, metered: boolean): readonly FeatureName[] {
  const has = new Set<FeatureName>(['power', 'schedule', 'antiTheft', 'time', 'alias', 'cloud', 'wifi', 'system']);
  if (isLightKind(kind)) {
    has.add('energy');
    has.add('light');
  } else {
    has.add('countdown');
    has.add('led');
    if (metered) has.add('energy');
    if (kind === 'dimmer') has.add('dimmer');
  }
  return FEATURE_ORDER.filter((f) => has.has(f));
}

/** Worked out once per kind and meter: a state is read on every poll. */
const FEATURE_LISTS = new Map<string, readonly FeatureName[]>();

function featuresOf(kind: DeviceKind, sysinfo: SysInfo): FeatureName[] {
  const metered = (sysinfo.feature ?? '').split(':').includes('ENE');
  const key = `${kind}:${metered}`;
  let list = FEATURE_LISTS.get(key);
  if (!list) {
    list = featureListOf(kind, metered);
    FEATURE_LISTS.set(key, list);
  }
  return [...list];
}

/** The classic family's whole reading of a device: one get_sysinfo. */
export function classicState(sysinfo: SysInfo): DeviceState {
  const kind = classicKind(sysinfo);
  const deviceId = sysinfo.deviceId ?? '';
  const outlets: OutletState[] = (sysinfo.children ?? []).map((child, index) => ({
    index,
    id: fullChildId(deviceId, child.id),
    alias: child.alias ?? '',
    on: child.state === 1,
  }));
  const state: DeviceState = {
    family: 'classic',
    kind,
    model: sysinfo.model ?? '',
    alias: sysinfo.alias ?? '',
    deviceId,
    mac: sysinfo.mac ?? sysinfo.mic_mac ?? '',
    on: false,
    outlets,
    features: featuresOf(kind, sysinfo),
  };
  if (sysinfo.hw_ver !== undefined) state.hardware = sysinfo.hw_ver;
  if (sysinfo.sw_ver !== undefined) state.firmware = sysinfo.sw_ver;
  if (isLightKind(kind)) {
    const capabilities = lightCapabilitiesOf(sysinfo);
    const light = lightStateOf(sysinfo.light_state ?? {}, capabilities, sysinfo.lighting_effect_state);
    state.on = light.on;
    state.light = light;
    state.lightCapabilities = capabilities;
    if (light.brightness !== undefined) state.brightness = light.brightness;
  } else {
    state.on = kind === 'strip' ? anyOutletOn(outlets) : sysinfo.relay_state === 1;
    if (kind === 'dimmer' && sysinfo.brightness !== undefined) state.brightness = sysinfo.brightness;
  }
  return state;
}

/**
 * A light state (sysinfo's, or a light request's reply): while on the
 * colour sits beside on_off, while off under dft_on_state. While a light
 * strip plays an effect, the effect's brightness is the light's. Every bulb
 * reports brightness, color_temp, hue and saturation whatever it can do (a
 * white KL110 says color_temp 2700, hue 0): only the fields the light has
 * are kept, as for SMART lights, so that a colour field means a colour
 * light. A colour light keeps its colour temperature even when its white
 * is fixed (KL400): 0 there says the hue is showing.
 */
export function lightStateOf(
  reply: LightStateReply, capabilities: LightCapabilities, effect?: { enable?: 0 | 1; name?: string; brightness?: number },
): LightState {
  const on = reply.on_off === 1;
  const colour = !on && reply.dft_on_state !== undefined ? reply.dft_on_state : reply;
  const light: LightState = { on };
  if (capabilities.dimmable && colour.brightness !== undefined) light.brightness = colour.brightness;
  if ((capabilities.colorTempRange !== undefined || capabilities.color) && colour.color_temp !== undefined) light.colorTemp = colour.color_temp;
  if (capabilities.color && colour.hue !== undefined) light.hue = colour.hue;
  if (capabilities.color && colour.saturation !== undefined) light.saturation = colour.saturation;
  if (effect?.enable === 1) {
    if (effect.name !== undefined) light.effect = effect.name;
    if (effect.brightness !== undefined) light.brightness = effect.brightness;
  }
  return light;
}

/**
 * Adjustable whites by model, in kelvin (the ranges python-kasa records for
 * these models); a model not listed gets 2700-5000, the narrowest range seen.
 */
const COLOR_TEMP_RANGES: ReadonlyArray<[prefix: string, range: [number, number]]> = [
  ['KL120(EU)', [2700, 6500]],
  ['KL120(US)', [2700, 5000]],
  ['LB120', [2700, 6500]],
  ['KL125', [2500, 6500]],
  ['LB130', [2500, 9000]],
  ['LB230', [2500, 9000]],
  ['KB130', [2500, 9000]],
  ['KL130', [2500, 9000]],
  ['KL135', [2500, 9000]],
  ['KL400L5', [2500, 9000]],
  ['KL430', [2500, 9000]],
];
const FALLBACK_COLOR_TEMP_RANGE: [number, number] = [2700, 5000];

function lightCapabilitiesOf(sysinfo: SysInfo): LightCapabilities {
  const capabilities: LightCapabilities = { dimmable: sysinfo.is_dimmable === 1, color: sysinfo.is_color === 1 };
  if (sysinfo.is_variable_color_temp === 1) {
    const model = sysinfo.model ?? '';
    const known = COLOR_TEMP_RANGES.find(([prefix]) => model.startsWith(prefix));
    capabilities.colorTempRange = [...(known?.[1] ?? FALLBACK_COLOR_TEMP_RANGE)];
  }
  return capabilities;
}
