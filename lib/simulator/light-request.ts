/**
 * What a light does with transition_light_state (bulbs) or set_light_state
 * (light strips), as measured on real KL110 and LB bulbs:
 *
 * - a value out of range or of the wrong type fails the whole request with
 *   the model's invalid-argument code (-10000 "Invalid input argument" on
 *   bulbs) and changes nothing;
 * - hue and saturation on a bulb without colour, and a colour temperature on
 *   a bulb with one fixed white, are ignored (err_code 0, nothing changes);
 * - colour fields land only on a light that is on, or that the request
 *   turns on with `ignore_default: 1`; a light switched on without it comes
 *   back as it was (its dft_on_state), and colour sent to a light that stays
 *   off is dropped;
 * - on a light strip, a new hue, saturation or colour temperature stops the
 *   running effect, and a brightness alone while an effect runs dims the
 *   effect instead of the light.
 *
 * Transitions are accepted and remembered but not played out: the state
 * jumps to its end at once.
 */
import type { DeviceState, LightState } from './device-state';
import type { LightSpec } from './models';
import { asParams, integerIn, invalidArgument, type Params } from './reply-errors';

type Colour = Partial<Pick<LightState, 'hue' | 'saturation' | 'color_temp' | 'brightness'>>;

interface LightRequest {
  onOff: 0 | 1 | undefined;
  ignoreDefault: boolean;
  colour: Colour;
  mode: string | undefined;
  transition: number | undefined;
}

const has = (params: Params, key: string): boolean => Object.prototype.hasOwnProperty.call(params, key) && params[key] !== undefined;

function optionalInteger(params: Params, key: string, min: number, max: number): number | undefined {
  return has(params, key) ? integerIn(params, key, min, max) : undefined;
}

/** Checks every field before anything changes, so a refused request leaves the light as it was. */
export function readLightRequest(value: unknown, light: LightSpec): LightRequest {
  const params = asParams(value);
  const onOff = optionalInteger(params, 'on_off', 0, 1) as 0 | 1 | undefined;
  const ignoreDefault = optionalInteger(params, 'ignore_default', 0, 1) === 1;
  // Bulbs take transition_period; some light strip clients send transition.
  const transition = optionalInteger(params, 'transition_period', 0, 3_600_000) ?? optionalInteger(params, 'transition', 0, 3_600_000);
  if (has(params, 'mode') && typeof params.mode !== 'string') throw invalidArgument();
  const colour: Colour = {};
  const brightness = optionalInteger(params, 'brightness', 0, 100);
  if (brightness !== undefined && light.dimmable) colour.brightness = brightness;
  const hue = optionalInteger(params, 'hue', 0, 360);
  const saturation = optionalInteger(params, 'saturation', 0, 100);
  if (light.color) {
    if (hue !== undefined) colour.hue = hue;
    if (saturation !== undefined) colour.saturation = saturation;
  }
  const temp = optionalInteger(params, 'color_temp', 0, 20_000);
  if (temp !== undefined && light.colorTempRange) {
    const [low, high] = light.colorTempRange;
    // 0 selects colour (hue and saturation) on a colour light.
    const inRange = temp === 0 ? light.color : temp >= low && temp <= high;
    if (!inRange) throw invalidArgument();
    colour.color_temp = temp;
  }
  return { onOff, ignoreDefault, colour, mode: params.mode as string | undefined, transition };
}

/** Applies a checked request to the device's light (and a light strip's effect). */
export function applyLightRequest(device: DeviceState, request: LightRequest, now: number): void {
  const light = device.light;
  if (!light) throw invalidArgument();
  const wasOn = light.on_off === 1;
  const endsOn = (request.onOff ?? light.on_off) === 1;
  if (endsOn && (wasOn || request.ignoreDefault)) applyColour(device, light, request);
  light.on_off = endsOn ? 1 : 0;
  if (request.transition !== undefined) device.lightTransition = request.transition;
  device.syncLightLoad(now);
}

function applyColour(device: DeviceState, light: LightState, request: LightRequest): void {
  const { colour } = request;
  const effect = device.effect;
  if (effect && effect.enable === 1) {
    const newColour = colour.hue !== undefined || colour.saturation !== undefined || colour.color_temp !== undefined;
    if (!newColour && colour.brightness !== undefined) {
      effect.brightness = colour.brightness;
      return;
    }
    if (newColour) effect.enable = 0;
  }
  Object.assign(light, colour);
  if (request.mode !== undefined) light.mode = request.mode;
}

/** The light as bulbs report it: on, the colour beside on_off; off, the colour it comes back with as dft_on_state. */
export function lightStateReply(light: LightState): Params {
  const { on_off: onOff, ...colour } = light;
  return onOff ? { on_off: 1, ...colour } : { on_off: 0, dft_on_state: colour };
}
