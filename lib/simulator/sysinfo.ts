/**
 * `system.get_sysinfo` as each model writes it: the model file's sysinfo
 * template, in firmware's field order (clients should not care, people
 * reading captures do), with every `$name` string replaced by the live value
 * of that name. The live values are the only sysinfo knowledge in code.
 */
import type { DeviceState } from './device-state';
import { lightStateReply } from './light-request';
import type { Outlet } from './outlet';
import type { Params } from './reply-errors';
import { nextScheduleAction } from './scheduler';

type LiveValue = (device: DeviceState, now: number) => unknown;

const bit = (flag: boolean): number => (flag ? 1 : 0);

const LIVE_VALUES: Readonly<Record<string, LiveValue>> = {
  model: (d) => d.spec.model,
  hwVer: (d) => d.spec.hwVer,
  swVer: (d) => d.spec.swVer,
  alias: (d) => d.alias,
  /** `AA:BB:CC:DD:EE:FF`, as plugs and light strips write it. */
  mac: (d) => d.identity.mac,
  /** `AABBCCDDEEFF`, as bulbs write `mic_mac`. */
  mic_mac: (d) => d.identity.mac.replace(/:/g, ''),
  deviceId: (d) => d.identity.deviceId,
  hwId: (d) => d.identity.hwId,
  fwId: (d) => d.identity.fwId,
  oemId: (d) => d.identity.oemId,
  rssi: (d) => d.rssi,
  led_off: (d) => bit(d.ledOff),
  relay_state: (d) => bit(d.main.isOn),
  on_time: (d, now) => d.main.onTime(now),
  active_mode: (d) => activeMode(d.main),
  /** Bulbs report only whether a schedule is on. */
  light_active_mode: (d) => (d.main.schedule.enabled && d.main.schedule.size > 0 ? 'schedule' : 'none'),
  next_action: (d, now) => nextAction(d, d.main, now),
  latitude: (d) => d.latitude,
  longitude: (d) => d.longitude,
  latitude_i: (d) => Math.round(d.latitude * 10_000),
  longitude_i: (d) => Math.round(d.longitude * 10_000),
  brightness: (d) => d.brightness,
  child_num: (d) => d.children.length,
  children: (d, now) => d.children.map((child) => ({
    id: child.id,
    state: bit(child.isOn),
    alias: child.alias,
    on_time: child.onTime(now),
    next_action: nextAction(d, child, now),
  })),
  light_state: (d) => (d.light ? lightStateReply(d.light) : {}),
  /** Light strips: LEDs along the strip. */
  length: (d) => d.spec.light?.length ?? 1,
  lighting_effect_state: (d) => ({ ...d.effect }),
  preferred_state: (d) => d.presets.map((preset) => ({ ...preset })),
  is_dimmable: (d) => bit(d.spec.light?.dimmable === true),
  is_color: (d) => bit(d.spec.light?.color === true),
  is_variable_color_temp: (d) => bit(Boolean(d.spec.light?.colorTempRange)),
};

/** The names a template may use after `$`. */
export const SYSINFO_LIVE_VALUES: readonly string[] = Object.keys(LIVE_VALUES);

export function buildSysinfo(device: DeviceState, now: number): Params {
  const info: Params = {};
  for (const [key, template] of Object.entries(device.spec.sysinfo)) {
    const value = typeof template === 'string' && template.startsWith('$') ? liveValue(template.slice(1))(device, now) : template;
    Object.defineProperty(info, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return info;
}

function liveValue(name: string): LiveValue {
  const found = Object.prototype.hasOwnProperty.call(LIVE_VALUES, name) ? LIVE_VALUES[name] : undefined;
  // Model files are checked when they load and by the model tests; this names the culprit if one slips through.
  if (!found) throw new Error(`sysinfo template names an unknown live value "$${name}"`);
  return found;
}

function activeMode(outlet: Outlet): string {
  if (outlet.countDown.pendingTimer()) return 'count_down';
  if (outlet.schedule.enabled && outlet.schedule.list().some((r) => r.enable)) return 'schedule';
  if (outlet.antiTheft.enabled && outlet.antiTheft.list().some((r) => r.enable)) return 'anti_theft';
  return 'none';
}

export function nextAction(device: DeviceState, outlet: Outlet, now: number): Params {
  const { err_code: _err, ...action } = nextScheduleAction(outlet.schedule, now, device.scheduleEnv());
  return action;
}
