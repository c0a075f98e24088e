/**
 * How the SMART family switches each kind and sets lights and dimmers: all
 * through set_device_info (device_on, brightness, color_temp, hue,
 * saturation), for an outlet through control_child. A strip's parent has no
 * relay of its own, so switching the whole strip switches every outlet; a
 * KS240's light is its dimming child (state.lightOutlet), reached through
 * control_child.
 * set_device_info has no fade. A flow written for a classic bulb or dimmer
 * sends transitions, so a light or dimmer takes one and switches at once
 * (its state says ignoresTransition; the light node tells the user once).
 * on_off_gradually is no stand-in: it is a standing setting of the device
 * (gradual on and off, at most 60 s; version 1 without a duration), for
 * switching on and off only, not for a new brightness or colour; setting it
 * for one message would change how the device switches for everyone after.
 * What is neither light nor dimmer refuses a transition, as a classic plug
 * does. The reply carries no state, so the light after a change is
 * the light before with the change applied.
 */
import type { SmartClient } from '../../smart/client';
import type { JsonObject } from '../../json';
import { checkInteger, unsupported } from '../errors';
import { checkLightChange, checkTransition, withLight } from '../light';
import type { FeatureContext } from '../family';
import { isSmartLight } from '../state/smart';
import type { DeviceState, DimmerFeature, LightChange, LightFeature, LightState, OutletState } from '../types';

/** Whether the switch reaches a light or dimmer, which takes a transition (and ignores it). */
function switchesLight(state: DeviceState, outlet: OutletState | undefined): boolean {
  if (outlet !== undefined) return outlet.index === state.lightOutlet;
  // Dimmers, and plugs that dim (P135): both have the dimmer feature.
  return isSmartLight(state.kind) || state.features.includes('dimmer');
}

/** The outlet a light change goes to (a KS240's dimmer), or undefined for the device itself. */
function lightChildId(state: DeviceState): string | undefined {
  return state.lightOutlet === undefined ? undefined : state.outlets.find((o) => o.index === state.lightOutlet)?.id;
}

export async function switchPower(
  client: SmartClient, state: DeviceState, on: boolean, outlet: OutletState | undefined, transition: number | undefined,
): Promise<LightState | undefined> {
  if (transition !== undefined && !switchesLight(state, outlet)) throw unsupported('transition', state.model, client.address);
  if (outlet !== undefined) {
    await client.setDeviceOn(on, { childId: outlet.id });
    return undefined;
  }
  if (state.outlets.length > 0) {
    for (const each of state.outlets) await client.setDeviceOn(on, { childId: each.id });
    return undefined;
  }
  await client.setDeviceOn(on);
  return isSmartLight(state.kind) ? { ...(state.light ?? { on }), on } : undefined;
}

export function lightFeature(client: SmartClient, context: FeatureContext): LightFeature {
  return {
    get capabilities() {
      return { ...(context.state().lightCapabilities ?? { dimmable: false, color: false }) };
    },
    set: async (change) => {
      const state = context.state();
      const checked = checkLightChange(change, state, context.address);
      await client.setDeviceInfo(lightParams(checked), { childId: lightChildId(state) });
      const next = lightAfter(state.light ?? { on: false }, checked);
      context.update((s) => withLight(s, next));
      return next;
    },
  };
}

/**
 * set_device_info for a light change: colour fields turn the light on
 * unless told off (as on classic bulbs); a hue or saturation puts it in
 * colour mode (color_temp 0); brightness 0, which the firmware refuses,
 * switches it off.
 */
function lightParams(change: LightChange): JsonObject {
  const params: JsonObject = {};
  if (change.brightness !== undefined && change.brightness > 0) params.brightness = change.brightness;
  if (change.hue !== undefined) params.hue = change.hue;
  if (change.saturation !== undefined) params.saturation = change.saturation;
  if (change.hue !== undefined || change.saturation !== undefined) params.color_temp = 0;
  if (change.colorTemp !== undefined) params.color_temp = change.colorTemp;
  params.device_on = change.on ?? change.brightness !== 0;
  return params;
}

function lightAfter(before: LightState, change: LightChange): LightState {
  const after: LightState = { ...before, on: change.on ?? change.brightness !== 0 };
  if (change.brightness !== undefined && change.brightness > 0) after.brightness = change.brightness;
  if (change.hue !== undefined) after.hue = change.hue;
  if (change.saturation !== undefined) after.saturation = change.saturation;
  if (change.hue !== undefined || change.saturation !== undefined) after.colorTemp = 0;
  if (change.colorTemp !== undefined) after.colorTemp = change.colorTemp;
  return after;
}

export function dimmerFeature(client: SmartClient, context: FeatureContext): DimmerFeature {
  return {
    setBrightness: async (brightness, options = {}) => {
      const level = checkInteger('brightness', brightness, 0, 100, context.address);
      if (options.transition !== undefined) checkTransition(options.transition, context.address);
      await client.setDeviceInfo(level === 0 ? { device_on: false } : { brightness: level, device_on: true });
      context.update((s) => (level === 0 ? { ...s, on: false } : { ...s, on: true, brightness: level }));
      return context.state();
    },
  };
}
