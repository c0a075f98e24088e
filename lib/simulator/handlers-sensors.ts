/**
 * The ES20M dimmer's sensors: smartlife.iot.PIR (motion) and
 * smartlife.iot.LAS (ambient light). Their settings come from the model
 * file and change with the set_ methods; the readings are made up from the
 * device's local time (daylight from 6 to 18 h, no motion), which is enough
 * for a client to show and poll them.
 */
import type { DeviceState } from './device-state';
import { ok, type MethodHandler, type MethodTable } from './method-table';
import { asParams, integerIn, invalidArgument, type Params } from './reply-errors';

function configOf(value: Params | undefined): Params {
  // Only models with the sensor in their file register its module.
  if (!value) throw invalidArgument();
  return value;
}

const HOUR_MS = 3_600_000;

/** Daylight on the sensor, 0..1: a half sine from 6 to 18 h local time, dark at night. */
function daylight(device: DeviceState, now: number): number {
  const hour = (device.localTime(now) / HOUR_MS) % 24;
  return Math.max(0, Math.sin(((hour - 6) / 12) * Math.PI));
}

export function motionMethods(): MethodTable {
  const m = new Map<string, MethodHandler>();
  const config = (device: DeviceState): Params => configOf(device.sensors.motion);
  m.set('get_config', (_p, ctx) => ({ ...config(ctx.device), err_code: 0 }));
  // Nobody moves in front of a simulated switch: the reading sits at the middle of the ADC range.
  m.set('get_adc_value', (_p, ctx) => {
    const { min_adc: min, max_adc: max } = config(ctx.device);
    return { value: typeof min === 'number' && typeof max === 'number' ? Math.floor((min + max) / 2) : 0, err_code: 0 };
  });
  m.set('set_enable', (p, ctx) => {
    config(ctx.device).enable = integerIn(asParams(p), 'enable', 0, 1);
    return ok();
  });
  m.set('set_trigger_sens', (p, ctx) => {
    const params = asParams(p);
    const settings = config(ctx.device);
    const levels = Array.isArray(settings.array) ? (settings.array as number[]) : [];
    const index = integerIn(params, 'index', 0, levels.length - 1);
    // The last index is the custom range; only it takes a value.
    if (index === levels.length - 1 && 'value' in params) levels[index] = integerIn(params, 'value', 0, 100);
    settings.trigger_index = index;
    return ok();
  });
  m.set('set_cold_time', (p, ctx) => {
    config(ctx.device).cold_time = integerIn(asParams(p), 'cold_time', 0, 3_600_000);
    return ok();
  });
  return m;
}

export function ambientLightMethods(): MethodTable {
  const m = new Map<string, MethodHandler>();
  const config = (device: DeviceState): Params => configOf(device.sensors.ambientLight);
  /** The one sensor entry firmware lists under devs. */
  const sensor = (device: DeviceState): Params => {
    const devs = config(device).devs;
    const first: unknown = Array.isArray(devs) ? devs[0] : undefined;
    if (typeof first !== 'object' || first === null) throw invalidArgument();
    return first as Params;
  };
  const percent = (device: DeviceState, now: number): number => Math.round(daylight(device, now) * 60);
  m.set('get_config', (_p, ctx) => ({ ...config(ctx.device), err_code: 0 }));
  m.set('get_current_brt', (_p, ctx) => ({ value: percent(ctx.device, ctx.now), err_code: 0 }));
  m.set('get_adc_value', (_p, ctx) => ({ type: 2, value: Math.round(daylight(ctx.device, ctx.now) * 1500), err_code: 0 }));
  m.set('get_dark_status', (_p, ctx) => {
    const { level_array: levels, dark_index: darkIndex } = sensor(ctx.device);
    const level = Array.isArray(levels) && typeof darkIndex === 'number' ? (levels[darkIndex] as Params | undefined) : undefined;
    const threshold = typeof level?.value === 'number' ? level.value : 0;
    return { bDark: percent(ctx.device, ctx.now) <= threshold ? 1 : 0, err_code: 0 };
  });
  m.set('set_enable', (p, ctx) => {
    sensor(ctx.device).enable = integerIn(asParams(p), 'enable', 0, 1);
    return ok();
  });
  m.set('set_brt_level', (p, ctx) => {
    const params = asParams(p);
    const levels = sensor(ctx.device).level_array;
    if (!Array.isArray(levels)) throw invalidArgument();
    const level = levels[integerIn(params, 'index', 0, levels.length - 1)] as Params;
    level.value = integerIn(params, 'value', 0, 100);
    return ok();
  });
  return m;
}
