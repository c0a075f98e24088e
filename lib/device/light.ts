/**
 * Checks a light request against what the light can do before anything is
 * sent, the same for every family: brightness 0-100 on a dimmable light,
 * hue 0-360 and saturation 0-100 on a colour light, a colour temperature
 * within the model's white range (0 picks the colour on a colour light,
 * and a colour light with a fixed white takes back the white it shows),
 * a transition of 0 to an hour.
 */
import type { DeviceAddress } from '../errors';
import { checkInteger, outletNotDimmable, unsupported } from './errors';
import { anyOutletOn } from './outlets';
import type { DeviceState, LightCapabilities, LightChange, LightState, OutletState } from './types';

export const MAX_TRANSITION_MS = 3_600_000;

export function checkLightChange(change: LightChange, state: DeviceState, address: DeviceAddress): LightChange {
  const capabilities: LightCapabilities = state.lightCapabilities ?? { dimmable: false, color: false };
  const checked: LightChange = {};
  if (change.on !== undefined) checked.on = change.on === true;
  if (change.brightness !== undefined) {
    if (!capabilities.dimmable) throw unsupported('brightness', state.model, address);
    checked.brightness = checkInteger('brightness', change.brightness, 0, 100, address);
  }
  if (change.hue !== undefined || change.saturation !== undefined) {
    if (!capabilities.color) throw unsupported('colour (hue and saturation)', state.model, address);
    if (change.hue !== undefined) checked.hue = checkInteger('hue', change.hue, 0, 360, address);
    if (change.saturation !== undefined) checked.saturation = checkInteger('saturation', change.saturation, 0, 100, address);
  }
  if (change.colorTemp !== undefined && namesFixedWhiteShown(change.colorTemp, capabilities, state.light)) {
    // The light as it is: its white stays, and so does the colour it reports beside it (not the one it shows).
    if (checked.hue === state.light?.hue) delete checked.hue;
    if (checked.saturation === state.light?.saturation) delete checked.saturation;
  } else if (change.colorTemp !== undefined) {
    checked.colorTemp = checkColorTemp(change.colorTemp, capabilities, state.model, address);
  }
  if (change.transition !== undefined) checked.transition = checkTransition(change.transition, address);
  return checked;
}

/**
 * A colour light whose white is fixed (KL400, L900) reports the white it
 * shows as a colour temperature, beside the hue and saturation it last
 * showed; the light as read, sent back (one node's output driving another),
 * names that same white, which it cannot be asked for but already shows.
 */
function namesFixedWhiteShown(value: number, capabilities: LightCapabilities, light: LightState | undefined): boolean {
  return capabilities.color && capabilities.colorTempRange === undefined && value !== 0 && value === light?.colorTemp;
}

function checkColorTemp(value: number, capabilities: LightCapabilities, model: string, address: DeviceAddress): number {
  if (value === 0 && capabilities.color) return 0;
  const range = capabilities.colorTempRange;
  if (!range) throw unsupported('adjustable white (colour temperature)', model, address);
  return checkInteger('colour temperature', value, range[0], range[1], address);
}

export function checkTransition(value: number, address: DeviceAddress): number {
  return checkInteger('transition', value, 0, MAX_TRANSITION_MS, address);
}

/**
 * Where a brightness goes, the one rule for every family and every caller:
 * asked of the whole device, a dimmer or dimmable light is itself, and a
 * switch whose light is one of its outlets (a KS240's dimmer child) dims
 * that outlet; asked of one outlet, only the outlet that is the light dims.
 * Any other outlet (a KS240's fan, an HS300's socket) is refused before
 * anything is sent: the light feature would otherwise dim the light behind
 * the back of a message meant for the fan. Resolves to the outlet that
 * dims, or undefined for the device itself.
 */
export function dimmingOutlet(state: DeviceState, outlet: OutletState | undefined, address: DeviceAddress): OutletState | undefined {
  const light = state.outlets.find((o) => o.index === state.lightOutlet);
  if (outlet === undefined) {
    if (light !== undefined || state.features.includes('dimmer') || state.lightCapabilities?.dimmable === true) return light;
    throw unsupported('brightness', state.model, address);
  }
  if (light === undefined) throw unsupported('outlet that dims', state.model, address);
  if (outlet.index !== light.index) throw outletNotDimmable(outlet, light, state.model, address);
  return outlet;
}

/**
 * The state with a new light: on/off and brightness follow it. A light that
 * is one outlet of the device (lightOutlet) switches that outlet, and the
 * device is on while any outlet is.
 */
export function withLight(state: DeviceState, light: LightState): DeviceState {
  const next: DeviceState = { ...state, on: light.on, light };
  if (light.brightness !== undefined) next.brightness = light.brightness;
  if (state.lightOutlet !== undefined) {
    next.outlets = state.outlets.map((o) => (o.index === state.lightOutlet ? { ...o, on: light.on } : o));
    next.on = anyOutletOn(next.outlets);
  }
  return next;
}

/** The state after outlets switched: the device on while any outlet is, the light following the outlet that is it. */
export function withOutlets(state: DeviceState, outlets: OutletState[]): DeviceState {
  const next: DeviceState = { ...state, outlets, on: anyOutletOn(outlets) };
  const lightOutlet = outlets.find((o) => o.index === state.lightOutlet);
  if (lightOutlet !== undefined && state.light !== undefined) next.light = { ...state.light, on: lightOutlet.on };
  return next;
}
