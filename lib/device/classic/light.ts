/**
 * The classic family's light and dimmer, and how it switches each kind:
 * relays with set_relay_state (a whole strip without an outlet: every
 * outlet at once, as strip firmware does), lights through their lighting
 * service (turning on without colour fields comes back as the light was;
 * with them, ignore_default makes the colour land), dimmers fading with
 * set_dimmer_transition when a transition is asked for.
 */
import * as cmd from '../../classic/commands';
import type { JsonObject } from '../../classic/commands';
import { readLightState, type LightStateReply } from '../../classic/replies';
import { lightStateOf } from '../state/classic';
import { checkInteger, unsupported } from '../errors';
import { checkLightChange, checkTransition, withLight } from '../light';
import type { FeatureContext } from '../family';
import type { DeviceState, DimmerFeature, LightChange, LightFeature, LightState, OutletState } from '../types';
import type { ClassicCalls } from './calls';
import { DIMMER_MODULE, modulesFor } from './modules';

/** Switches a device of any classic kind, or one outlet; a light answers with its new light state. */
export async function switchPower(
  calls: ClassicCalls, state: DeviceState, on: boolean, outlet: OutletState | undefined, transition: number | undefined,
): Promise<LightState | undefined> {
  const light = modulesFor(state.kind).light;
  if (light) return sendLight(calls, state, light, transition === undefined ? { on } : { on, transition });
  if (transition !== undefined) {
    if (state.kind !== 'dimmer' || outlet !== undefined) throw unsupported('transition', state.model, calls.client.address);
    await dimmerTransition(calls, on ? (state.brightness || 100) : 0, transition);
    return undefined;
  }
  await calls.send(cmd.system.setRelayState(on), { outlet });
  return undefined;
}

export function lightFeature(calls: ClassicCalls, context: FeatureContext): LightFeature {
  return {
    get capabilities() {
      return { ...(context.state().lightCapabilities ?? { dimmable: false, color: false }) };
    },
    set: async (change) => {
      const state = context.state();
      const light = modulesFor(state.kind).light;
      if (!light) throw unsupported('light', state.model, context.address);
      const next = await sendLight(calls, state, light, checkLightChange(change, state, context.address));
      context.update((s) => withLight(s, next));
      return next;
    },
  };
}

export function dimmerFeature(calls: ClassicCalls, context: FeatureContext): DimmerFeature {
  return {
    setBrightness: async (brightness, options = {}) => {
      const level = checkInteger('brightness', brightness, 0, 100, context.address);
      const transition = options.transition === undefined ? undefined : checkTransition(options.transition, context.address);
      if (level === 0 && transition === undefined) await calls.send(cmd.system.setRelayState(false));
      // A fade of 1 ms is a jump: one request sets the level and switches on.
      else await dimmerTransition(calls, level, transition ?? 1);
      context.update((s) => (level === 0 ? { ...s, on: false } : { ...s, on: true, brightness: level }));
      return context.state();
    },
  };
}

async function dimmerTransition(calls: ClassicCalls, brightness: number, transition: number): Promise<void> {
  // The firmware refuses a duration of 0.
  await calls.send({ [DIMMER_MODULE]: { set_dimmer_transition: { brightness, duration: Math.max(1, transition) } } });
}

/**
 * One light state request. Turning on with nothing but on/off and a
 * transition restores the light as it was (ignore_default 0); any colour
 * field needs ignore_default 1 to land, and turns the light on unless told off.
 */
async function sendLight(calls: ClassicCalls, state: DeviceState, light: { module: string; set: string }, change: LightChange): Promise<LightState> {
  const request: JsonObject = {};
  const colour = colourFields(change);
  request.on_off = change.on === false ? 0 : 1;
  Object.assign(request, colour);
  if (change.transition !== undefined) request.transition_period = change.transition;
  request.ignore_default = request.on_off === 1 && Object.keys(colour).length === 0 ? 0 : 1;
  const reply = await calls.call(light.module, light.set, request, readLightState);
  return lightAfter(reply, state, change, Object.keys(colour).length > 0);
}

function colourFields(change: LightChange): JsonObject {
  const fields: JsonObject = {};
  if (change.brightness !== undefined) fields.brightness = change.brightness;
  if (change.hue !== undefined || change.saturation !== undefined) {
    if (change.hue !== undefined) fields.hue = change.hue;
    if (change.saturation !== undefined) fields.saturation = change.saturation;
    // A hue shows only in colour mode: colour temperature 0.
    fields.color_temp = 0;
  }
  if (change.colorTemp !== undefined) fields.color_temp = change.colorTemp;
  return fields;
}

/**
 * The light after a request: as the reply reports it when it does (bulbs
 * do); otherwise the old state with the change applied. A light strip's
 * effect keeps playing unless new colour stopped it.
 */
function lightAfter(reply: LightStateReply, state: DeviceState, change: LightChange, newColour: boolean): LightState {
  const before = state.light ?? { on: false };
  let after: LightState;
  if (reply.on_off !== undefined) {
    after = lightStateOf(reply, state.lightCapabilities ?? { dimmable: false, color: false });
  } else {
    after = { ...before, on: change.on !== false };
    delete after.effect;
    if (change.brightness !== undefined) after.brightness = change.brightness;
    if (change.colorTemp !== undefined) after.colorTemp = change.colorTemp;
    if (change.hue !== undefined) after.hue = change.hue;
    if (change.saturation !== undefined) after.saturation = change.saturation;
  }
  const colourChanged = newColour && (change.hue !== undefined || change.saturation !== undefined || change.colorTemp !== undefined);
  if (before.effect !== undefined && !colourChanged) {
    after.effect = before.effect;
    after.brightness = change.brightness ?? before.brightness;
  }
  return after;
}
