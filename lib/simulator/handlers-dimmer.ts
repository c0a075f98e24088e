/**
 * Wall dimmers (smartlife.iot.dimmer on HS220, KS230, ES20M) and power strip
 * management (HS300). A dimmer is a plug with a brightness: the relay
 * switches it, set_brightness changes the level without switching, and
 * set_dimmer_transition fades to a level, switching on (or off at 0).
 */
import { ok, type MethodHandler, type MethodTable } from './method-table';
import { asParams, integerIn, invalidArgument, requireNumber } from './reply-errors';

/**
 * Ranges the dimmer firmware takes (python-kasa checks the same before
 * sending; the threshold's odd 51 was measured on a KS220).
 */
const LIMITS = {
  minThreshold: [0, 51],
  fadeTime: [0, 10_000],
  gentleTime: [0, 120_000],
  rampRate: [10, 50],
} as const;

export function dimmerMethods(): MethodTable {
  const m = new Map<string, MethodHandler>();
  m.set('set_brightness', (p, ctx) => {
    // Dimmers refuse 0 (python-kasa and Homebridge users met -3 for it); off is the relay's job.
    ctx.device.brightness = integerIn(asParams(p), 'brightness', 1, 100);
    return ok();
  });
  m.set('set_dimmer_transition', (p, ctx) => {
    const params = asParams(p);
    const brightness = integerIn(params, 'brightness', 0, 100);
    integerIn(params, 'duration', 0, 3_600_000);
    if (brightness > 0) ctx.device.brightness = brightness;
    ctx.device.main.setRelay(brightness > 0, ctx.now, ctx.device.localOffsetMs);
    return ok();
  });
  m.set('get_dimmer_parameters', (_p, ctx) => ({ ...ctx.device.dimmer, err_code: 0 }));
  m.set('get_default_behavior', (_p, ctx) => ({ ...ctx.device.spec.dimmer?.defaultBehavior, err_code: 0 }));
  const setter = (param: string, field: string, [low, high]: readonly [number, number]): MethodHandler => (p, ctx) => {
    ctx.device.dimmer[field] = integerIn(asParams(p), param, low, high);
    return ok();
  };
  m.set('set_fade_on_time', setter('fadeTime', 'fadeOnTime', LIMITS.fadeTime));
  m.set('set_fade_off_time', setter('fadeTime', 'fadeOffTime', LIMITS.fadeTime));
  m.set('set_gentle_on_time', setter('duration', 'gentleOnTime', LIMITS.gentleTime));
  m.set('set_gentle_off_time', setter('duration', 'gentleOffTime', LIMITS.gentleTime));
  m.set('set_button_ramp_rate', setter('rampRate', 'rampRate', LIMITS.rampRate));
  m.set('calibrate_brightness', setter('minThreshold', 'minThreshold', LIMITS.minThreshold));
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
