/**
 * The SMART methods a simulated device answers, for itself or (inside
 * control_child) for one strip outlet, in the reply shapes of real
 * firmware. Which methods exist follows the model's components, as on a
 * real device: no energy_monitoring, no get_energy_usage (-1002).
 */
import { isJsonObject, type JsonObject } from '../../json';
import { UNKNOWN_METHOD } from '../../smart/error-codes';
import { ENERGY_DATA_INTERVAL } from '../../smart/energy-data';
import { localDay } from '../energy-meter';
import type { SmartSimulatedDevice } from './device';
import type { SmartOutlet } from './outlet';

export interface MethodTarget {
  device: SmartSimulatedDevice;
  outlet: SmartOutlet;
  isChild: boolean;
}

const PARAMS_ERROR = -1008;
const ok = (result?: JsonObject): JsonObject => (result === undefined ? { error_code: 0 } : { error_code: 0, result });
const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

type Handler = (target: MethodTarget, params: JsonObject, request: JsonObject, now: number) => JsonObject;

const HANDLERS: Record<string, Handler> = {
  component_nego: (t) => ok({ component_list: componentList(componentsOf(t)) }),
  get_device_info: (t, _p, _r, now) => ok(t.isChild ? childInfo(t.device, t.outlet, now) : deviceInfo(t, now)),
  set_device_info: (t, p, _r, now) => setDeviceInfo(t, p, now),
  get_device_time: (t, _p, _r, now) => ok({
    timestamp: Math.floor(now / 1000), time_diff: t.device.spec.timezone.timeDiffMinutes, region: t.device.spec.timezone.region,
  }),
  get_device_usage: (t, _p, _r, now) => ok(deviceUsage(t, now)),
  get_energy_usage: (t, _p, _r, now) => energyUsage(t, now),
  get_current_power: (t, _p, _r, now) => (energyVersion(t) >= 2 ? ok({ current_power: Math.floor(powerW(t, now)) }) : unknown()),
  get_emeter_data: (t, _p, _r, now) => emeterData(t, now),
  get_energy_data: (t, p, _r, now) => energyData(t, p, now),
  get_child_device_list: (t, p, r) => childList(t, p, r, (child) => childInfo(t.device, child, t.device.clock())),
  get_child_device_component_list: (t, p, r) => childList(t, p, r, (child) => ({
    device_id: child.id, component_list: componentList(child.child?.components ?? {}),
  }), 'child_component_list'),
  // Restarting or wiping answers at once; the simulated device carries on as it was.
  device_reboot: (t, p) => (t.isChild || (p.delay !== undefined && !Number.isInteger(p.delay)) ? { error_code: PARAMS_ERROR } : ok()),
  device_reset: (t) => (t.isChild ? unknown() : ok()),
  get_led_info: (t) => (has(t, 'led') ? ok({ led_rule: t.device.ledOn ? 'always' : 'never', led_status: t.device.ledOn }) : unknown()),
  set_led_info: (t, p) => {
    if (!has(t, 'led')) return unknown();
    if (typeof p.led_rule !== 'string') return { error_code: PARAMS_ERROR };
    t.device.ledOn = p.led_rule !== 'never';
    return ok();
  },
};

export function answerMethod(target: MethodTarget, method: string, params: unknown, request: JsonObject, now: number): JsonObject {
  const handler = Object.prototype.hasOwnProperty.call(HANDLERS, method) ? HANDLERS[method] : undefined;
  if (!handler) return unknown();
  if (params !== undefined && params !== null && !isJsonObject(params)) return { error_code: PARAMS_ERROR };
  return handler(target, isJsonObject(params) ? params : {}, request, now);
}

function unknown(): JsonObject {
  return { error_code: UNKNOWN_METHOD };
}

function componentsOf(t: MethodTarget): Record<string, number> {
  return t.isChild ? (t.outlet.child?.components ?? {}) : t.device.spec.components;
}

/** The model's light, on the device itself or (KS240) on the child that dims; undefined elsewhere. */
function lightOf(t: MethodTarget): SmartSimulatedDevice['light'] {
  const dims = t.isChild ? has(t, 'brightness') : t.device.children.length === 0;
  return dims ? t.device.light : undefined;
}

function has(t: MethodTarget, component: string): boolean {
  return componentsOf(t)[component] !== undefined;
}

function componentList(components: Record<string, number>): JsonObject[] {
  return Object.entries(components).map(([id, ver]) => ({ id, ver_code: ver }));
}

function energyVersion(t: MethodTarget): number {
  return t.outlet.energy?.version ?? 0;
}

function powerW(t: MethodTarget, now: number): number {
  return t.outlet.meter ? t.outlet.meter.powerAt(now) : 0;
}

function common(t: MethodTarget): JsonObject {
  const { device } = t;
  return {
    device_id: t.outlet.id, fw_ver: device.spec.fwVer, hw_ver: device.spec.hwVer, type: device.spec.type, model: device.spec.model,
    hw_id: device.hwId, fw_id: device.fwId, oem_id: device.oemId, nickname: b64(t.outlet.nickname),
    latitude: 0, longitude: 0, has_set_location_info: false, region: device.spec.timezone.region,
  };
}

/**
 * get_device_info is what every client polls, often many times a second,
 * and its answer moves only when one of the few things it reports does:
 * the answer (and its JSON text, see serializedJson) is kept per outlet
 * and made again only when one of those differs from when it was made.
 * Everything else in it comes from the model and the device's identity,
 * which never change.
 */
interface InfoMemo {
  inputs: unknown[];
  info: JsonObject;
}

const infoMemos = new WeakMap<SmartOutlet, InfoMemo>();
/** JSON text of answers kept by infoMemos; those objects are never changed once made. */
const serialized = new WeakMap<object, string>();

/** The JSON text of `value` if it is a kept answer (the same as JSON.stringify gives), else undefined. */
export function serializedJson(value: unknown): string | undefined {
  return typeof value === 'object' && value !== null ? serialized.get(value) : undefined;
}

function memoizedInfo(outlet: SmartOutlet, inputs: unknown[], make: () => JsonObject): JsonObject {
  const memo = infoMemos.get(outlet);
  if (memo && memo.inputs.length === inputs.length && memo.inputs.every((input, i) => input === inputs[i])) return memo.info;
  const info = make();
  infoMemos.set(outlet, { inputs, info });
  serialized.set(info, JSON.stringify(info));
  return info;
}

function deviceInfo(t: MethodTarget, now: number): JsonObject {
  const { device, outlet } = t;
  const light = device.light;
  const inputs = [outlet.nickname, device.ssid, device.ip, outlet.on, outlet.onTime(now), light?.brightness, light?.colorTemp, light?.hue, light?.saturation];
  return memoizedInfo(outlet, inputs, () => makeDeviceInfo(t, now));
}

function makeDeviceInfo(t: MethodTarget, now: number): JsonObject {
  const { device } = t;
  const info: JsonObject = {
    ...common(t), mac: device.mac, ip: device.ip, ssid: b64(device.ssid), rssi: device.rssi, signal_level: device.rssi > -50 ? 3 : 2,
    time_diff: device.spec.timezone.timeDiffMinutes, lang: 'en_US', avatar: device.spec.avatar, specs: '',
  };
  // A strip's parent has no relay of its own: only its outlets switch.
  if (device.children.length > 0) return info;
  Object.assign(info, { device_on: t.outlet.on, on_time: t.outlet.onTime(now), overheated: false, default_states: { type: 'last_states', state: {} } });
  if (device.light) Object.assign(info, lightInfo(t, device.light));
  return info;
}

/** A light's or dimmer's fields: only those of the components the model lists, as firmware reports them. */
function lightInfo(t: MethodTarget, light: NonNullable<SmartSimulatedDevice['light']>): JsonObject {
  const fields: JsonObject = {};
  if (has(t, 'brightness')) fields.brightness = light.brightness;
  if (has(t, 'color_temperature')) Object.assign(fields, { color_temp: light.colorTemp, color_temp_range: t.device.spec.light?.colorTempRange ?? [] });
  if (has(t, 'color')) Object.assign(fields, { hue: light.hue, saturation: light.saturation, dynamic_light_effect_enable: false });
  // A light strip reports its effect; none plays until the app starts one.
  if (has(t, 'light_strip_lighting_effect')) fields.lighting_effect = { enable: 0, id: '', name: '', brightness: light.brightness, custom: 0 };
  const state: JsonObject = {};
  for (const key of ['brightness', 'color_temp', 'hue', 'saturation']) if (fields[key] !== undefined) state[key] = fields[key];
  fields.default_states = { re_power_type: 'always_on', type: 'last_states', state };
  return fields;
}

function childInfo(device: SmartSimulatedDevice, outlet: SmartOutlet, now: number): JsonObject {
  const t: MethodTarget = { device, outlet, isChild: true };
  const light = lightOf(t);
  const inputs = [outlet.nickname, outlet.on, outlet.onTime(now), light?.brightness, light?.colorTemp, light?.hue, light?.saturation];
  return memoizedInfo(outlet, inputs, () => {
    const info: JsonObject = {
      ...common(t), mac: device.mac.replace(/-/g, ''), avatar: outlet.child?.avatar ?? '',
      category: outlet.child?.category ?? '', device_on: outlet.on, on_time: outlet.onTime(now), position: outlet.position,
      slot_number: device.children.length, original_device_id: device.deviceId, bind_count: 1, status_follow_edge: true,
      overheat_status: 'normal', auto_off_status: 'off', auto_off_remain_time: 0, default_states: { type: 'last_states' },
    };
    if (light) Object.assign(info, lightInfo(t, light));
    // A KS240's fan child reports its speed; nothing here changes it.
    if (has(t, 'fan_control')) Object.assign(info, { fan_speed_level: 2, fan_sleep_mode_on: false });
    return info;
  });
}

/** The device's own checks: known fields must have the right type and range, or -1008. */
function setDeviceInfo(t: MethodTarget, p: JsonObject, now: number): JsonObject {
  const light = lightOf(t);
  const range = t.device.spec.light?.colorTempRange ?? [0, 0];
  const checks: Array<[string, (v: unknown) => boolean]> = [
    ['device_on', (v) => typeof v === 'boolean'],
    ['nickname', (v) => typeof v === 'string' && v.length <= 256],
    ['brightness', (v) => light !== undefined && has(t, 'brightness') && Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 100],
    ['color_temp', (v) => light !== undefined && has(t, 'color_temperature') && Number.isInteger(v)
      && (((v as number) === 0 && has(t, 'color')) || ((v as number) >= (range[0] ?? 0) && (v as number) <= (range[1] ?? 0)))],
    ['hue', (v) => light !== undefined && has(t, 'color') && Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 360],
    ['saturation', (v) => light !== undefined && has(t, 'color') && Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 100],
  ];
  for (const [key, valid] of checks) if (p[key] !== undefined && !valid(p[key])) return { error_code: PARAMS_ERROR };
  if (p.device_on !== undefined && t.device.children.length > 0 && !t.isChild) return { error_code: PARAMS_ERROR };
  if (typeof p.nickname === 'string') t.outlet.nickname = Buffer.from(p.nickname, 'base64').toString('utf8');
  if (light) applyLight(t, light, p, now);
  if (typeof p.device_on === 'boolean') t.outlet.set(p.device_on, now);
  return ok();
}

function applyLight(t: MethodTarget, light: NonNullable<SmartSimulatedDevice['light']>, p: JsonObject, now: number): void {
  if (typeof p.brightness === 'number') light.brightness = p.brightness;
  if (typeof p.hue === 'number') light.hue = p.hue;
  if (typeof p.saturation === 'number') light.saturation = p.saturation;
  // Colour and white are exclusive: a hue switches to colour (color_temp 0), a temperature back to white.
  if (typeof p.color_temp === 'number') light.colorTemp = p.color_temp;
  else if (typeof p.hue === 'number' || typeof p.saturation === 'number') light.colorTemp = 0;
  t.outlet.scale(light.brightness / 100, now);
}

/** get_device_usage's windows: today, and the last 7 and 30 local days, today the last of each (not the month). */
export const USAGE_WINDOW_DAYS = 30;
export const USAGE_SHORT_WINDOW_DAYS = 7;

/** today, past7 and past30 over figures per day, oldest first, the last today's. */
function usageWindows(perDay: readonly number[]): JsonObject {
  const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);
  return { today: perDay[perDay.length - 1] ?? 0, past7: sum(perDay.slice(-USAGE_SHORT_WINDOW_DAYS)), past30: sum(perDay.slice(-USAGE_WINDOW_DAYS)) };
}

/** Time on (minutes) and, where the model meters, energy (Wh); a meterless plug's firmware reports time_usage only. */
function deviceUsage(t: MethodTarget, now: number): JsonObject {
  const usage: JsonObject = { time_usage: usageWindows(t.outlet.minutesOnDays(now, USAGE_WINDOW_DAYS)) };
  const wh = t.outlet.whDays(now, USAGE_WINDOW_DAYS);
  if (wh) {
    usage.power_usage = usageWindows(wh);
    usage.saved_power = { today: 0, past7: 0, past30: 0 };
  }
  return usage;
}

function energyUsage(t: MethodTarget, now: number): JsonObject {
  const spec = t.outlet.energy;
  if (!spec) return unknown();
  const energy = t.outlet.energyWh(now);
  const runtime = t.outlet.runtimeMinutes(now);
  const local = new Date(now + t.device.offsetMs).toISOString().replace('T', ' ').slice(0, 19);
  const result: JsonObject = {
    today_runtime: runtime.today, month_runtime: runtime.month, today_energy: energy.today, month_energy: energy.month,
    local_time: local, electricity_charge: [0, 0, 0],
  };
  if (spec.usageReportsPower) result.current_power = Math.round(powerW(t, now) * 1000);
  return ok(result);
}

function emeterData(t: MethodTarget, now: number): JsonObject {
  const meter = t.outlet.meter;
  if (!meter || !t.outlet.energy?.emeterData) return unknown();
  const reading = meter.realtime(now, t.device.offsetMs);
  return ok({ current_ma: reading.current_ma, energy_wh: reading.total_wh, power_mw: reading.power_mw, voltage_mv: reading.voltage_mv });
}

/**
 * Wh per day of the quarter that start_timestamp falls in (1440), or per
 * month of its year (43200), from the meter's daily records; days and
 * months still to come read 0, as firmware fills them. Hourly data (60)
 * is real firmware's too, but the simulated meter keeps days only: -1008.
 */
function energyData(t: MethodTarget, p: JsonObject, now: number): JsonObject {
  const meter = t.outlet.meter;
  if (!meter || !t.outlet.energy?.energyData) return unknown();
  const start = p.start_timestamp;
  const interval = p.interval;
  if (!Number.isInteger(start) || (start as number) < 0 || !Number.isInteger(p.end_timestamp)) return { error_code: PARAMS_ERROR };
  if (interval !== ENERGY_DATA_INTERVAL.daily && interval !== ENERGY_DATA_INTERVAL.monthly) return { error_code: PARAMS_ERROR };
  const offsetMs = t.device.offsetMs;
  const from = localDay((start as number) * 1000, offsetMs);
  const data = interval === ENERGY_DATA_INTERVAL.daily ? quarterDays(meter, now, offsetMs, from.year, from.month) : yearMonths(meter, now, offsetMs, from.year);
  const local = new Date(now + offsetMs).toISOString().replace('T', ' ').slice(0, 19);
  return ok({ local_time: local, data, start_timestamp: start as number, end_timestamp: p.end_timestamp as number, interval });
}

type Meter = NonNullable<SmartOutlet['meter']>;

function quarterDays(meter: Meter, now: number, offsetMs: number, year: number, month: number): number[] {
  const data: number[] = [];
  const first = 3 * Math.floor((month - 1) / 3) + 1;
  for (let m = first; m < first + 3; m++) {
    const recorded = new Map(((meter.dayStats(now, offsetMs, year, m).day_list ?? []) as Array<{ day: number; energy_wh: number }>)
      .map((d) => [d.day, d.energy_wh]));
    const days = new Date(Date.UTC(year, m, 0)).getUTCDate();
    for (let day = 1; day <= days; day++) data.push(recorded.get(day) ?? 0);
  }
  return data;
}

function yearMonths(meter: Meter, now: number, offsetMs: number, year: number): number[] {
  const recorded = new Map(((meter.monthStats(now, offsetMs, year).month_list ?? []) as Array<{ month: number; energy_wh: number }>)
    .map((m) => [m.month, m.energy_wh]));
  return Array.from({ length: 12 }, (_, i) => recorded.get(i + 1) ?? 0);
}

/** A paged child list; start_index in params or, as some clients send it, beside the method. */
function childList(t: MethodTarget, p: JsonObject, request: JsonObject, entry: (child: SmartOutlet) => JsonObject, key = 'child_device_list'): JsonObject {
  if (t.isChild || t.device.children.length === 0) return unknown();
  const start = p.start_index ?? request.start_index ?? 0;
  if (!Number.isInteger(start) || (start as number) < 0) return { error_code: PARAMS_ERROR };
  const page = t.device.children.slice(start as number, (start as number) + t.device.childPageSize);
  return ok({ [key]: page.map(entry), start_index: start, sum: t.device.children.length });
}
