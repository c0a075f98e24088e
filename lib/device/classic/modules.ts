/**
 * Which Smart Home protocol module each feature speaks to, per kind: plugs,
 * strips, switches and dimmers use the plug firmware's names (system, time,
 * cnCloud, netif, schedule, count_down, anti_theft, emeter); bulbs and light
 * strips the smartlife.iot.common.* names, and have no countdown table and
 * no LED. Lights switch through their lighting service (bulbs:
 * transition_light_state; light strips: smartlife.iot.lightStrip's
 * set_light_state, as they refuse the bulb service with -1).
 */
import type { DeviceKind } from '../types';
import { isLightKind } from '../state/classic';

export interface ClassicModules {
  system: string;
  time: string;
  cloud: string;
  wifi: string;
  schedule: string;
  antiTheft: string;
  countdown: string | undefined;
  emeter: string;
  light: { module: string; set: string } | undefined;
}

const PLUG_MODULES: ClassicModules = {
  system: 'system', time: 'time', cloud: 'cnCloud', wifi: 'netif', schedule: 'schedule', antiTheft: 'anti_theft',
  countdown: 'count_down', emeter: 'emeter', light: undefined,
};

const LIGHT_COMMON = {
  system: 'smartlife.iot.common.system', time: 'smartlife.iot.common.timesetting', cloud: 'smartlife.iot.common.cloud',
  wifi: 'smartlife.iot.common.softaponboarding', schedule: 'smartlife.iot.common.schedule', antiTheft: 'smartlife.iot.common.anti_theft',
  countdown: undefined, emeter: 'smartlife.iot.common.emeter',
};

const BULB_MODULES: ClassicModules = { ...LIGHT_COMMON, light: { module: 'smartlife.iot.smartbulb.lightingservice', set: 'transition_light_state' } };
const LIGHT_STRIP_MODULES: ClassicModules = { ...LIGHT_COMMON, light: { module: 'smartlife.iot.lightStrip', set: 'set_light_state' } };

export const DIMMER_MODULE = 'smartlife.iot.dimmer';

export function modulesFor(kind: DeviceKind): ClassicModules {
  if (!isLightKind(kind)) return PLUG_MODULES;
  return kind === 'lightstrip' ? LIGHT_STRIP_MODULES : BULB_MODULES;
}
