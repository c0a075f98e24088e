/**
 * Bulbs' smartlife.iot.smartbulb.lightingservice, light strips'
 * smartlife.iot.lightStrip and their smartlife.iot.lighting_effect. Both
 * light services change the light the same way (light-request.ts); they
 * differ in the method that sets it and in how they report it: a bulb as
 * one colour, a light strip as groups of LEDs with the strip's length.
 */
import type { DeviceState, LightState } from './device-state';
import { applyLightRequest, lightStateReply, readLightRequest } from './light-request';
import { ok, type MethodContext, type MethodHandler, type MethodTable } from './method-table';
import type { LightSpec } from './models';
import { asParams, integerIn, invalidArgument, requireString, type Params } from './reply-errors';

function lightOf(device: DeviceState): { light: LightState; spec: LightSpec } {
  // Only lights register these modules, and every light has both.
  const spec = device.spec.light;
  if (!device.light || !spec) throw invalidArgument();
  return { light: device.light, spec };
}

const setLight: MethodHandler = (p, ctx) => {
  const { light, spec } = lightOf(ctx.device);
  applyLightRequest(ctx.device, readLightRequest(p, spec), ctx.now);
  return { ...lightStateReply(light), err_code: 0 };
};

/** The highest value each preset field takes. */
const PRESET_LIMITS: Readonly<Record<string, number>> = { hue: 360, saturation: 100, color_temp: 20_000, brightness: 100, mode: 2 };

/** set_preferred_state: one preset's fields, by index, as sysinfo preferred_state lists them; all checked before any lands. */
const setPreset: MethodHandler = (p, ctx) => {
  const params = asParams(p);
  const index = integerIn(params, 'index', 0, ctx.device.presets.length - 1);
  const preset = ctx.device.presets[index];
  const changes: Params = {};
  for (const key of Object.keys(PRESET_LIMITS)) {
    if (key in params && key in preset) changes[key] = integerIn(params, key, 0, PRESET_LIMITS[key]);
  }
  Object.assign(preset, changes);
  return ok();
};

function commonLightMethods(): MethodTable {
  const m = new Map<string, MethodHandler>();
  m.set('get_light_details', (_p, ctx) => ({ ...lightOf(ctx.device).spec.details, err_code: 0 }));
  m.set('get_default_behavior', (_p, ctx) => ({ ...lightOf(ctx.device).spec.defaultBehavior, err_code: 0 }));
  m.set('set_preferred_state', setPreset);
  return m;
}

export function lightingMethods(): MethodTable {
  const m = commonLightMethods();
  m.set('get_light_state', (_p, ctx) => ({ ...lightStateReply(lightOf(ctx.device).light), err_code: 0 }));
  m.set('transition_light_state', setLight);
  return m;
}

/** A light strip's state: every LED in one group [first, last, hue, saturation, brightness, color_temp]. */
function stripState(ctx: MethodContext): Params {
  const { light, spec } = lightOf(ctx.device);
  const length = spec.length ?? 1;
  const groups = [[0, length - 1, light.hue, light.saturation, light.brightness, light.color_temp]];
  const state = light.on_off ? { on_off: 1, mode: light.mode, groups } : { on_off: 0, dft_on_state: { mode: light.mode, groups } };
  return { ...state, length, transition: ctx.device.lightTransition, err_code: 0 };
}

export function lightStripMethods(): MethodTable {
  const m = commonLightMethods();
  m.set('get_light_state', (_p, ctx) => stripState(ctx));
  m.set('set_light_state', setLight);
  return m;
}

function effectOf(device: DeviceState): Params {
  if (!device.effect) throw invalidArgument();
  return device.effect;
}

export function lightingEffectMethods(): MethodTable {
  const m = new Map<string, MethodHandler>();
  m.set('get_lighting_effect', (_p, ctx) => ({ ...effectOf(ctx.device), err_code: 0 }));
  m.set('set_lighting_effect', (p, ctx) => {
    const params = asParams(p);
    const effect = effectOf(ctx.device);
    const enable = integerIn(params, 'enable', 0, 1);
    const next: Params = { enable };
    if ('brightness' in params) next.brightness = integerIn(params, 'brightness', 0, 100);
    if ('custom' in params) next.custom = integerIn(params, 'custom', 0, 1);
    if ('name' in params) next.name = requireString(params, 'name');
    if ('id' in params) next.id = requireString(params, 'id');
    Object.assign(effect, next);
    // An effect plays on the strip, so starting one turns it on.
    const light = lightOf(ctx.device).light;
    if (enable === 1 && light.on_off === 0) {
      light.on_off = 1;
      ctx.device.syncLightLoad(ctx.now);
    }
    return ok();
  });
  return m;
}
