/**
 * What each classic (Smart Home protocol) request must get back: one typed
 * reader per reply shape, so that a device's answer is checked where it
 * enters the library and nothing above trusts a field it has not been
 * given. Only what the code reads is checked (types, relay states 0/1,
 * children as objects with string ids, finite numbers); undeclared fields
 * pass untouched, because firmware versions differ in what else they send.
 * Checked against every sysinfo, realtime and rules reply of the 84 real
 * devices python-kasa records, none of which is refused.
 *
 * The device layer builds its state model from these readers.
 */
import { JsonShapeError, shape as s, type Reader, type ReadResult } from '../json';
import { ProtocolError, type DeviceAddress } from '../errors';

/** An outlet of a power strip (HS300, KP303, KP400...). */
export const readChildInfo = s.objectKeeping({
  /** Full id on most firmware; some send only the two-digit outlet number. */
  id: s.string,
  state: s.bit,
  alias: s.optional(s.string),
});

/**
 * A light's colour as bulbs and light strips report it (in sysinfo's
 * light_state, beside on_off while on, under dft_on_state while off, and in
 * the replies to light state requests).
 */
const lightColourFields = {
  mode: s.optional(s.string),
  hue: s.optional(s.integerIn(0, 360)),
  saturation: s.optional(s.integerIn(0, 100)),
  /** Kelvin; 0 while a colour light shows a hue. */
  color_temp: s.optional(s.integerIn(0, 20_000)),
  brightness: s.optional(s.integerIn(0, 100)),
};

/** sysinfo.light_state, and the reply to transition_light_state / set_light_state / get_light_state. */
export const readLightState = s.objectKeeping({
  on_off: s.optional(s.bit),
  ...lightColourFields,
  dft_on_state: s.optional(s.objectKeeping(lightColourFields)),
});

export type LightStateReply = ReadResult<typeof readLightState>;

/** A light strip's lighting effect (sysinfo.lighting_effect_state): while enabled, it sets the brightness. */
export const readLightingEffect = s.objectKeeping({
  enable: s.optional(s.bit),
  name: s.optional(s.string),
  brightness: s.optional(s.integerIn(0, 100)),
});

/** system.get_sysinfo: every device kind (plugs, strips, switches, dimmers, bulbs, light strips). */
export const readSysInfo = s.objectKeeping({
  alias: s.optional(s.string),
  model: s.optional(s.string),
  deviceId: s.optional(s.string),
  hw_ver: s.optional(s.string),
  sw_ver: s.optional(s.string),
  /** Plugs say `mac` and `type`; bulbs `mic_mac` and `mic_type`. */
  mac: s.optional(s.string),
  mic_mac: s.optional(s.string),
  type: s.optional(s.string),
  mic_type: s.optional(s.string),
  /** "Smart Wi-Fi Dimmer", "Smart Wi-Fi Light Switch": what tells dimmers and wall switches from plugs. */
  dev_name: s.optional(s.string),
  /** "TIM:ENE" on plugs with an energy meter. */
  feature: s.optional(s.string),
  relay_state: s.optional(s.bit),
  led_off: s.optional(s.bit),
  /** Dimmers: the level the relay switches on to. */
  brightness: s.optional(s.integerIn(0, 100)),
  light_state: s.optional(readLightState),
  is_dimmable: s.optional(s.bit),
  is_color: s.optional(s.bit),
  is_variable_color_temp: s.optional(s.bit),
  /** Light strips: LEDs (or zones) on the strip. */
  length: s.optional(s.integer),
  lighting_effect_state: s.optional(readLightingEffect),
  children: s.optional(s.arrayOf(readChildInfo, { maxLength: 64 })),
});

export type SysInfo = ReadResult<typeof readSysInfo>;
export type ChildInfo = ReadResult<typeof readChildInfo>;

const quantity = s.optional(s.finiteNumber);
const readRealtimeFields = s.objectKeeping({
  power: quantity, power_mw: quantity, voltage: quantity, voltage_mv: quantity,
  current: quantity, current_ma: quantity, total: quantity, total_wh: quantity,
});

/**
 * emeter.get_realtime (and the bulbs' smartlife.iot.common.emeter): hardware
 * 1 sends W/V/A/kWh, later hardware mW/mV/mA/Wh, bulbs only power_mw; a
 * reading without any power is not a reading.
 */
export const readRealtime: Reader<ReadResult<typeof readRealtimeFields>> = (value, path) => {
  const reading = readRealtimeFields(value, path);
  if (reading.power === undefined && reading.power_mw === undefined) {
    throw new JsonShapeError(path, 'has neither power nor power_mw');
  }
  return reading;
};

const readStatFields = {
  year: s.integer,
  month: s.integerIn(1, 12),
  energy: quantity,
  energy_wh: quantity,
};

/** emeter.get_daystat: `day_list` of daily totals. */
export const readDayStats = s.object({
  day_list: s.arrayOf(s.objectKeeping({ ...readStatFields, day: s.integerIn(1, 31) }), { maxLength: 400 }),
});

/** emeter.get_monthstat: `month_list` of monthly totals. */
export const readMonthStats = s.object({
  month_list: s.arrayOf(s.objectKeeping(readStatFields), { maxLength: 400 }),
});

/** schedule / count_down / anti_theft get_rules: the rules, each with its id. */
export const readRules = s.objectKeeping({
  rule_list: s.arrayOf(s.objectKeeping({ id: s.string }), { maxLength: 256 }),
});

/** add_rule: the new rule's id. */
export const readAddedRule = s.object({ id: s.string });

/** netif.get_scaninfo: the access points seen. */
export const readScanInfo = s.object({ ap_list: s.arrayOf(s.anyObject, { maxLength: 256 }) });

/** Replies passed on whole whose fields the code does not read (time, cloud info, next action). */
export const readAnyResult = s.anyObject;

/**
 * Runs `reader` on `reply.module.method`. Any shape problem becomes a
 * ProtocolError naming the device and the field: "127.0.0.1:9999:
 * system.get_sysinfo.relay_state should be 0 or 1, got "on"".
 */
export function readMethodResult<T>(reply: Record<string, unknown>, module: string, method: string, reader: Reader<T>, address: DeviceAddress): T {
  const moduleReply = reply[module];
  const result = s.isJsonObject(moduleReply) ? moduleReply[method] : undefined;
  return readAt(reader, result, `${module}.${method}`, address);
}

/** Runs `reader` on `value` found at `path`; a JsonShapeError becomes a ProtocolError naming the device. */
export function readAt<T>(reader: Reader<T>, value: unknown, path: string, address: DeviceAddress | undefined): T {
  try {
    return reader(value, path);
  } catch (error) {
    if (error instanceof JsonShapeError) throw new ProtocolError(error.message, address, error);
    throw error;
  }
}
