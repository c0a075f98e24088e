/**
 * `system.get_sysinfo` as each kind of device writes it. Field order
 * follows firmware (clients should not care, people reading captures do).
 */
import type { Params } from './reply-errors';
import { nextScheduleAction } from './scheduler';
import type { Outlet } from './outlet';
import type { SimulatedDevice } from './simulated-device';

export function buildSysinfo(device: SimulatedDevice, now: number): Params {
  const { spec, identity } = device;
  if (spec.kind === 'bulb') return bulbSysinfo(device);
  const info: Params = {
    sw_ver: spec.swVer,
    hw_ver: spec.hwVer,
    [spec.typeField]: spec.typeValue,
    model: spec.model,
    mac: identity.mac,
    dev_name: spec.devName,
    alias: device.alias,
  };
  if (spec.kind !== 'strip') {
    info.relay_state = device.main.isOn ? 1 : 0;
    info.on_time = device.main.onTime(now);
    info.active_mode = activeMode(device.main);
  }
  info.feature = spec.feature;
  info.updating = 0;
  info.icon_hash = '';
  info.rssi = device.rssi;
  info.led_off = device.ledOff ? 1 : 0;
  Object.assign(info, location(device));
  info.hwId = identity.hwId;
  info.fwId = identity.fwId;
  info.deviceId = identity.deviceId;
  info.oemId = identity.oemId;
  if (spec.kind === 'dimmer') {
    info.brightness = device.brightness;
    info.preferred_state = [100, 75, 50, 25].map((brightness, index) => ({ index, brightness }));
  }
  if (spec.kind === 'strip') {
    info.child_num = device.children.length;
    info.children = device.children.map((child) => ({
      id: child.id,
      state: child.isOn ? 1 : 0,
      alias: child.alias,
      on_time: child.onTime(now),
      next_action: nextAction(device, child, now),
    }));
  } else {
    info.next_action = nextAction(device, device.main, now);
  }
  info.err_code = 0;
  return info;
}

function bulbSysinfo(device: SimulatedDevice): Params {
  const { spec, identity } = device;
  const light = device.light ?? { on_off: 0, mode: 'normal', hue: 0, saturation: 0, color_temp: 2700, brightness: 100 };
  const { on_off: onOff, ...colour } = light;
  return {
    sw_ver: spec.swVer,
    hw_ver: spec.hwVer,
    model: spec.model,
    description: spec.devName,
    alias: device.alias,
    mic_type: spec.typeValue,
    dev_state: 'normal',
    mic_mac: identity.mac.replace(/:/g, ''),
    deviceId: identity.deviceId,
    oemId: identity.oemId,
    hwId: identity.hwId,
    is_factory: false,
    disco_ver: '1.0',
    ctrl_protocols: { name: 'Linkie', version: '1.0' },
    light_state: onOff ? { on_off: 1, ...colour } : { on_off: 0, dft_on_state: colour },
    is_dimmable: 1,
    is_color: 1,
    is_variable_color_temp: 1,
    preferred_state: [
      { index: 0, hue: 0, saturation: 0, color_temp: 2700, brightness: 50 },
      { index: 1, hue: 0, saturation: 75, color_temp: 0, brightness: 100 },
      { index: 2, hue: 120, saturation: 75, color_temp: 0, brightness: 100 },
      { index: 3, hue: 240, saturation: 75, color_temp: 0, brightness: 100 },
    ],
    rssi: device.rssi,
    active_mode: device.main.schedule.enabled && device.main.schedule.size > 0 ? 'schedule' : 'none',
    heapsize: 291_000,
    err_code: 0,
  };
}

function location(device: SimulatedDevice): Params {
  if (device.spec.locationAsInteger) {
    return { longitude_i: Math.round(device.longitude * 10_000), latitude_i: Math.round(device.latitude * 10_000) };
  }
  return { longitude: device.longitude, latitude: device.latitude };
}

function activeMode(outlet: Outlet): string {
  if (outlet.countDown.pendingTimer()) return 'count_down';
  if (outlet.schedule.enabled && outlet.schedule.list().some((r) => r.enable)) return 'schedule';
  if (outlet.antiTheft.enabled && outlet.antiTheft.list().some((r) => r.enable)) return 'anti_theft';
  return 'none';
}

export function nextAction(device: SimulatedDevice, outlet: Outlet, now: number): Params {
  const { err_code: _err, ...action } = nextScheduleAction(outlet.schedule, now, device.scheduleEnv());
  return action;
}
