/**
 * How the SMART family switches each kind and sets lights and dimmers: all
 * through set_device_info (device_on, brightness, color_temp, hue,
 * saturation), for an outlet through control_child. A strip's parent has no
 * relay of its own, so switching the whole strip switches every outlet.
 * set_device_info has no fade: a transition is refused before anything is
 * sent (the firmware's on_off_gradually is a setting of the device, not of a
 * request). The reply carries no state, so the light after a change is the
 * light before with the change applied.
 */
import type { SmartClient } from '../../smart/client';
import type { JsonObject } from '../../json';
import { checkInteger, unsupported } from '../errors';
import { checkLightChange, checkTransition, withLight } from '../light';
import type { FeatureContext } from '../family';
import { isSmartLight } from '../state/smart';
import type { DeviceState, DimmerFeature, LightChange, LightFeature, LightState, OutletState } from '../types';

function refuseTransition(transition: number | undefined, state: DeviceState, context: { address: FeatureContext['address'] }): void {
  if (transition !== undefined) throw unsupported('transition (SMART devices switch at once)', state.model, context.address);
}

export async function switchPower(
  client: SmartClient, state: DeviceState, on: boolean, outlet: OutletState | undefined, transition: number | undefined,
): Promise<LightState | undefined> {
  refuseTransition(transition, state, client);
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
      refuseTransition(checked.transition, state, context);
      await client.setDeviceInfo(lightParams(checked));
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
      if (options.transition !== undefined) refuseTransition(checkTransition(options.transition, context.address), context.state(), context);
      await client.setDeviceInfo(level === 0 ? { device_on: false } : { brightness: level, device_on: true });
      context.update((s) => (level === 0 ? { ...s, on: false } : { ...s, on: true, brightness: level }));
      return context.state();
    },
  };
}
