/**
 * Runs a parsed light command through the device layer and shapes the
 * answer for a flow: msg.payload is the light in the same fields a light
 * object takes ({ on, brightness, color_temp, hue, saturation }, only those
 * the light has), so it can drive a Dashboard widget or another light node;
 * the colour as "#rrggbb" beside it for a colour picker (a white as the
 * colour it looks). What drives the light is decided once, by what the
 * device can do rather than its kind (lightControlOf): a P135 is a plug
 * that dims. What each feature takes is the device layer's to check. A device whose
 * light is one of its outlets (a KS240's dimmer) is switched through that
 * outlet, and a transition a device ignores (SMART lights switch at once)
 * is reported, for the node to say so.
 */
import type { EnergyReading } from '../classic/response';
import type { DeviceConnection } from '../device/connection';
import type { Device } from '../device/device';
import { DeviceInputError } from '../device/errors';
import type { DeviceState, LightChange } from '../device/types';
import { DeviceError } from '../errors';
import type { LightCommand } from './light-command';
import { LightInputError } from './light-command';
import { hsvToHex, whiteToHex } from './light-colour';
import { transitionIgnoredBy } from './transition-note';

/** The light as msg.payload carries it: the fields a light object takes. */
export interface LightPayload {
  on: boolean;
  brightness?: number;
  color_temp?: number;
  hue?: number;
  saturation?: number;
}

export interface LightReport {
  payload: LightPayload;
  /** The device's alias: msg.topic. */
  alias: string;
  /** "#rrggbb": the colour a colour light shows, or the white a light with adjustable white shows. */
  color?: string;
  /** The lighting effect a light strip plays. */
  effect?: string;
  energy?: EnergyReading;
  state: DeviceState;
  /** A transition was asked of a device that ignores it: the change applied at once. */
  transitionIgnored?: boolean;
}

export interface LightSettings {
  /** Milliseconds to fade over when a message gives none. */
  transition?: number;
}

/** Runs one command; device-layer refusals come back as LightInputErrors naming the model. */
export async function runLightCommand(connection: DeviceConnection, command: LightCommand, settings: LightSettings = {}): Promise<LightReport> {
  let device: Device | undefined;
  try {
    device = await connection.get();
    switch (command.kind) {
      case 'read':
        return await readLight(device, { energy: true });
      case 'power': {
        const transition = command.transition ?? settings.transition;
        const options = { ...transitionOption(transition), ...lightOutletOption(device) };
        if (command.state === 'toggle') await device.toggle(options);
        else await device.setPower(command.state, options);
        return withTransitionNote(reportOf(device), transition);
      }
      case 'set': {
        const change = withDefaultTransition(command.change, settings.transition);
        await setLight(device, change);
        return withTransitionNote(reportOf(device), change.transition);
      }
    }
  } catch (error) {
    throw asLightInputError(error, device?.state.model ?? '');
  }
}

/**
 * Reads the device again (a poll stands aside when commands wait: ifIdle;
 * a device connected this moment was just read: fresh) and, when asked and
 * metered, its energy.
 */
export async function readLight(device: Device, options: { energy: boolean; ifIdle?: boolean; fresh?: boolean }): Promise<LightReport> {
  if (!options.fresh) await device.refresh({ ifIdle: options.ifIdle });
  const report = reportOf(device);
  if (options.energy && device.energy) {
    const energy = await readEnergyIfMetered(device, options.ifIdle);
    if (energy) report.energy = energy;
  }
  return report;
}

/** The device's light as a flow sees it. */
export function reportOf(device: Device): LightReport {
  const state = device.state;
  const report: LightReport = { payload: payloadOf(state), alias: state.alias, state };
  const light = state.light;
  if (light?.effect !== undefined) report.effect = light.effect;
  const can = state.lightCapabilities;
  if (light && can) {
    const brightness = light.brightness ?? 100;
    if (light.colorTemp && can.colorTempRange) report.color = whiteToHex(light.colorTemp, brightness);
    else if (can.color && light.hue !== undefined && light.saturation !== undefined) {
      report.color = hsvToHex({ hue: light.hue, saturation: light.saturation, brightness });
    }
  }
  return report;
}

/**
 * What drives a device's light, by what the device can do and not by its
 * kind, so a plug that dims (P135) is driven as a dimmer is: its light
 * feature (bulbs, light strips, a KS240's light outlet), its dimmer feature
 * (wall dimmers, plugs that dim), or nothing but on and off (plugs, strips
 * and switches that do not dim: a brightness or colour is refused).
 */
export type LightControl = 'light' | 'dimmer' | 'switch';

export function lightControlOf(state: Pick<DeviceState, 'features'>): LightControl {
  if (state.features.includes('light')) return 'light';
  if (state.features.includes('dimmer')) return 'dimmer';
  return 'switch';
}

export function payloadOf(state: DeviceState): LightPayload {
  // A light that is one outlet of a switch (KS240) is on or off by itself, whatever the other outlets do.
  const payload: LightPayload = { on: state.light?.on ?? state.on };
  const light = state.light;
  const can = state.lightCapabilities;
  if (lightControlOf(state) !== 'light' || !light || !can) {
    // A dimmer's brightness is the device's own; a plug that does not dim has none.
    if (state.brightness !== undefined) payload.brightness = state.brightness;
    return payload;
  }
  if (can.dimmable && light.brightness !== undefined) payload.brightness = light.brightness;
  if ((can.colorTempRange || can.color) && light.colorTemp !== undefined) payload.color_temp = light.colorTemp;
  if (can.color && light.hue !== undefined) payload.hue = light.hue;
  if (can.color && light.saturation !== undefined) payload.saturation = light.saturation;
  return payload;
}

/** What a node's status shows: on/off, the brightness, and the colour ("#rrggbb", a white in kelvin, or the effect). */
export interface LightView {
  on: boolean;
  brightness?: number;
  colour?: string;
}

export function viewOf(report: LightReport): LightView {
  const view: LightView = { on: report.payload.on };
  if (report.payload.brightness !== undefined) view.brightness = report.payload.brightness;
  if (report.effect !== undefined) view.colour = report.effect;
  else if (report.payload.color_temp) view.colour = `${report.payload.color_temp} K`;
  else if (report.color !== undefined) view.colour = report.color;
  return view;
}

/**
 * A light or dimmer takes the change through its feature. A device that
 * only switches (a lamp on a P110) takes on and off and nothing more: a
 * brightness or colour is refused before anything is sent, saying it only
 * switches, so the user learns what the node can do with it.
 */
async function setLight(device: Device, change: LightChange): Promise<void> {
  const control = lightControlOf(device.state);
  if (control === 'light' && device.light) {
    await device.light.set(change);
    return;
  }
  const dimmer = control === 'dimmer' ? device.dimmer : undefined;
  const lacks = (what: string): DeviceInputError => unsupported(device, dimmer ? what : `${what}: it only switches on and off`);
  // A colour ("#rrggbb" brings a brightness too) is named as what is missing, before the brightness.
  if (change.hue !== undefined || change.saturation !== undefined) throw lacks('colour (hue and saturation)');
  if (change.colorTemp !== undefined) throw lacks('adjustable white (colour temperature)');
  if (change.brightness !== undefined && !dimmer) throw lacks('brightness');
  const options = transitionOption(change.transition);
  if (change.on === false) await device.setPower(false, options);
  else if (change.brightness !== undefined && dimmer) await dimmer.setBrightness(change.brightness, options);
  else await device.setPower(true, options);
}

/** A bulb whose firmware has no meter answers its emeter with an error: no energy, not a failed message. */
async function readEnergyIfMetered(device: Device, ifIdle: boolean | undefined): Promise<EnergyReading | undefined> {
  try {
    return await device.energy?.read({ ifIdle });
  } catch (error) {
    if (error instanceof DeviceError) return undefined;
    throw error;
  }
}

function withDefaultTransition(change: LightChange, transition: number | undefined): LightChange {
  return change.transition === undefined && transition !== undefined ? { ...change, transition } : change;
}

/** The light's own outlet when it is one (a KS240's dimmer): switching the light leaves the fan alone. */
function lightOutletOption(device: Device): { outlet?: number } {
  const outlet = device.state.lightOutlet;
  return outlet === undefined ? {} : { outlet };
}

function withTransitionNote(report: LightReport, transition: number | undefined): LightReport {
  if (transitionIgnoredBy(report.state, transition)) report.transitionIgnored = true;
  return report;
}

function transitionOption(transition: number | undefined): { transition?: number } {
  return transition === undefined ? {} : { transition };
}

function unsupported(device: Device, what: string): DeviceInputError {
  const model = device.state.model;
  return new DeviceInputError('unsupported', { what, model }, `${model || 'this device'} has no ${what}`, device.address);
}

/** The device layer's refusals as the node's input errors (keys the node translates), with the model named. */
function asLightInputError(error: unknown, model: string): unknown {
  if (!(error instanceof DeviceInputError)) return error;
  return new LightInputError(error.reason, { model: model || '?', ...error.details }, error.message);
}
