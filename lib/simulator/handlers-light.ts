/**
 * Dimmer (HS220), power strip management (HS300) and bulb lighting (LB130).
 */
import { ok, type MethodHandler, type MethodTable } from './method-table';
import { asParams, invalidArgument, requireNumber, type Params } from './reply-errors';
import type { LightState } from './device-state';

function percent(params: Params, key: string): number {
  const value = requireNumber(params, key);
  if (!Number.isInteger(value) || value < 0 || value > 100) throw invalidArgument();
  return value;
}

export function dimmerMethods(): MethodTable {
  const m = new Map<string, MethodHandler>();
  m.set('set_brightness', (p, ctx) => {
    const brightness = percent(asParams(p), 'brightness');
    if (brightness < 1) throw invalidArgument();
    ctx.device.brightness = brightness;
    return ok();
  });
  m.set('set_dimmer_transition', (p, ctx) => {
    const params = asParams(p);
    const brightness = percent(params, 'brightness');
    requireNumber(params, 'duration');
    ctx.device.brightness = Math.max(1, brightness);
    ctx.device.main.setRelay(brightness > 0, ctx.now, ctx.device.localOffsetMs);
    return ok();
  });
  m.set('get_dimmer_parameters', (_p, ctx) => ({ ...ctx.device.dimmer, err_code: 0 }));
  m.set('get_default_behavior', (_p, ctx) => ({ ...ctx.device.spec.dimmer?.defaultBehavior, err_code: 0 }));
  const setter = (param: string, field: string): MethodHandler => (p, ctx) => {
    ctx.device.dimmer[field] = requireNumber(asParams(p), param);
    return ok();
  };
  m.set('set_fade_on_time', setter('fadeTime', 'fadeOnTime'));
  m.set('set_fade_off_time', setter('fadeTime', 'fadeOffTime'));
  m.set('set_gentle_on_time', setter('duration', 'gentleOnTime'));
  m.set('set_gentle_off_time', setter('duration', 'gentleOffTime'));
  m.set('calibrate_brightness', setter('minThreshold', 'minThreshold'));
  const action: MethodHandler = (p) => {
    if (typeof asParams(p).mode !== 'string') throw invalidArgument();
    return ok();
  };
  m.set('set_double_click_action', action);
  m.set('set_long_press_action', action);
  m.set('set_switch_state', (p, ctx) => {
    const state = requireNumber(asParams(p), 'state');
    ctx.device.main.setRelay(state === 1, ctx.now, ctx.device.localOffsetMs);
    return ok();
  });
  return m;
}

export function stripManageMethods(): MethodTable {
  const m = new Map<string, MethodHandler>();
  m.set('get_relationship', (_p, ctx) => ({
    data: ctx.device.children.map((child, slot) => ({ child_id: child.id, hw_slot: slot })),
    err_code: 0,
  }));
  return m;
}

function lightReply(light: LightState): Params {
  const { on_off: onOff, ...colour } = light;
  return onOff ? { on_off: 1, ...colour, err_code: 0 } : { on_off: 0, dft_on_state: colour, err_code: 0 };
}

export function lightingMethods(): MethodTable {
  const m = new Map<string, MethodHandler>();
  m.set('get_light_state', (_p, ctx) => lightReply(lightOf(ctx.device.light)));
  m.set('transition_light_state', (p, ctx) => {
    const params = asParams(p);
    const light = lightOf(ctx.device.light);
    const next = { ...light };
    if ('on_off' in params) next.on_off = requireNumber(params, 'on_off') ? 1 : 0;
    if ('brightness' in params) next.brightness = percent(params, 'brightness');
    if ('saturation' in params) next.saturation = percent(params, 'saturation');
    if ('hue' in params) {
      const hue = requireNumber(params, 'hue');
      if (hue < 0 || hue > 360) throw invalidArgument();
      next.hue = hue;
    }
    if ('color_temp' in params) {
      const temp = requireNumber(params, 'color_temp');
      // 0 selects colour (hue/saturation) mode; otherwise the model's white range.
      const [low, high] = ctx.device.spec.light?.colorTempRange ?? [0, 0];
      if (temp !== 0 && (temp < low || temp > high)) throw invalidArgument();
      next.color_temp = temp;
    }
    if (typeof params.mode === 'string') next.mode = params.mode;
    Object.assign(light, next);
    ctx.device.syncLightLoad(ctx.now);
    return lightReply(light);
  });
  m.set('get_light_details', (_p, ctx) => ({ ...ctx.device.spec.light?.details, err_code: 0 }));
  m.set('get_default_behavior', (_p, ctx) => ({ ...ctx.device.spec.light?.defaultBehavior, err_code: 0 }));
  return m;
}

function lightOf(light: LightState | undefined): LightState {
  // Only bulbs register the lighting module, and every bulb has a light.
  if (!light) throw invalidArgument();
  return light;
}
