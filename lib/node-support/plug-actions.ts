/**
 * Runs a parsed plug command on a device through the device layer and
 * shapes the answer: `payload` is the state after a command that changes or
 * reads it, watts for energy, and the data asked for by other queries; the
 * full reply rides along. What the device is, which module a command needs
 * and where an outlet is are the device layer's business, never decided here.
 */
import { isObject, type SmartHomeRequest } from '../classic/commands';
import type { EnergyReading } from '../classic/response';
import type { DeviceConnection } from '../device/connection';
import type { Device } from '../device/device';
import { DeviceInputError } from '../device/errors';
import type { DeviceState, OutletOption, ScheduleRule } from '../device/types';
import { describe, parsePowerValue, PlugInputError, type PlugAction, type PlugCommand } from './plug-command';
import { transitionIgnoredBy } from './transition-note';

export interface PlugResult {
  /** The action that ran: 'power', 'raw' or a PlugAction. */
  command: string;
  payload: unknown;
  /** Alias of the addressed outlet or device: msg.topic. */
  alias: string;
  /** The device's own description, when the command read it (msg.sysinfo). */
  sysinfo?: unknown;
  /** The device after a command that read or changed it. */
  state?: DeviceState;
  /**
   * With state: whether what the node addresses (device or outlet) is on, for its status.
   * Not always the payload: a brightness on a whole KS240 reports the dimmer it set.
   */
  on?: boolean;
  energy?: EnergyReading;
  reply?: unknown;
  /** A brightness was set with a transition the device ignores (a SMART dimmer): the change applied at once. */
  transitionIgnored?: boolean;
}

/** What a plug node addresses: the device (or a whole strip), or one outlet of a strip. */
export interface PlugTarget {
  connection: DeviceConnection;
  /** '' for the device itself; otherwise an index, short id, full id or alias. */
  outlet: string;
}

/** The node's outlet setting as an option for the device, checked against it (unknown outlets are input errors). */
export function outletOption(device: Device, outlet: string): OutletOption {
  if (outlet.trim() === '') return {};
  device.outlet(outlet);
  return { outlet };
}

/** The alias of the outlet addressed, else the device's: msg.topic. */
export function topicOf(device: Device, option: OutletOption): string {
  return option.outlet === undefined ? device.state.alias : device.outlet(option.outlet).alias || device.state.alias;
}

/** The device layer's refusals as the node's input errors, whose keys the node translates. */
export function asInputError(error: unknown): unknown {
  if (!(error instanceof DeviceInputError)) return error;
  return new PlugInputError(error.reason, { ...error.details }, error.message);
}

export async function runPlugCommand(target: PlugTarget, command: PlugCommand): Promise<PlugResult> {
  try {
    const device = await target.connection.get();
    const option = outletOption(device, target.outlet);
    switch (command.kind) {
      case 'power':
        return await switchPower(device, option, command.state);
      case 'raw':
        return await runRaw(device, option, command.request);
      case 'action':
        return await runAction(device, option, command.action, command.argument);
    }
  } catch (error) {
    throw asInputError(error);
  }
}

async function switchPower(device: Device, option: OutletOption, wanted: boolean | 'toggle'): Promise<PlugResult> {
  if (wanted === 'toggle') await device.toggle(option);
  else await device.setPower(wanted, option);
  return withState(device, option, 'power');
}

/** Reads the device after a command and reports the state it shows. */
async function withState(device: Device, option: OutletOption, command: string): Promise<PlugResult> {
  const state = await device.refresh();
  const on = device.isOn(option);
  return { command, payload: on, alias: topicOf(device, option), sysinfo: device.info, state, on, reply: device.info };
}

async function runRaw(device: Device, option: OutletOption, request: SmartHomeRequest): Promise<PlugResult> {
  // A node bound to one outlet addresses that outlet unless the command names its own context.
  const reply = await device.request(request, option);
  return { command: 'raw', payload: reply, alias: topicOf(device, option), reply };
}

function data(device: Device, option: OutletOption, command: string, value: unknown): PlugResult {
  return { command, payload: value, alias: topicOf(device, option), reply: value };
}

/** The feature a command needs, or an input error naming what the device lacks. */
function need<T>(device: Device, feature: T | undefined, what: string): T {
  if (feature !== undefined) return feature;
  throw new PlugInputError('unsupported', { what, model: device.state.model }, `${device.state.model || 'this device'} has no ${what}`);
}

async function runAction(device: Device, option: OutletOption, action: PlugAction, arg: unknown): Promise<PlugResult> {
  const now = new Date();
  switch (action) {
    case 'on': case 'off': case 'toggle':
      return switchPower(device, option, action === 'toggle' ? 'toggle' : action === 'on');
    case 'info':
      return withState(device, option, action);
    case 'brightness':
      return setBrightness(device, option, arg);
    case 'energy': {
      const energy = await need(device, device.energy, 'energy meter').read(option);
      return { command: action, payload: energy.power, alias: topicOf(device, option), energy, reply: energy };
    }
    case 'day_stats': {
      const when = dateArgument(arg, now);
      return data(device, option, action, await need(device, device.energy, 'energy meter').dayStats(when.year, when.month, option));
    }
    case 'month_stats':
      return data(device, option, action, await need(device, device.energy, 'energy meter').monthStats(dateArgument(arg, now).year, option));
    case 'led_on': case 'led_off':
      await need(device, device.led, 'LED').set(action === 'led_on');
      return withState(device, option, action);
    case 'alias':
      await need(device, device.alias, 'alias').set(stringArgument(action, arg, 'a name'), option);
      return withState(device, option, action);
    default:
      return runQuery(device, option, action, arg);
  }
}

/** Commands that read or change tables and settings rather than the state. */
async function runQuery(device: Device, option: OutletOption, action: PlugAction, arg: unknown): Promise<PlugResult> {
  const schedule = (): NonNullable<Device['schedule']> => need(device, device.schedule, 'schedule');
  const countdown = (): NonNullable<Device['countdown']> => need(device, device.countdown, 'countdown');
  const cloud = (): NonNullable<Device['cloud']> => need(device, device.cloud, 'cloud');
  switch (action) {
    case 'time':
      return data(device, option, action, await need(device, device.time, 'clock').get());
    case 'timezone':
      return data(device, option, action, await need(device, device.time, 'clock').timezone());
    case 'schedule':
      return data(device, option, action, await schedule().list(option));
    case 'next_action':
      return data(device, option, action, await schedule().nextAction(option));
    case 'schedule_add':
      return data(device, option, action, { id: await schedule().add(objectArgument(action, arg) as unknown as ScheduleRule, option) });
    case 'schedule_delete':
      await schedule().delete(stringArgument(action, arg, 'a rule id'), option);
      return data(device, option, action, await schedule().list(option));
    case 'schedule_clear':
      await schedule().clear(option);
      return data(device, option, action, await schedule().list(option));
    case 'countdown':
      if (isObject(arg) && arg.delay !== undefined) await countdown().replace(countdownArgument(arg), option);
      return data(device, option, action, await countdown().list(option));
    case 'countdown_clear':
      await countdown().clear(option);
      return data(device, option, action, await countdown().list(option));
    case 'away':
      return data(device, option, action, await need(device, device.antiTheft, 'away mode').list(option));
    case 'cloud_info':
      return data(device, option, action, await cloud().info());
    default:
      return runAdmin(device, option, action, arg);
  }
}

async function runAdmin(device: Device, option: OutletOption, action: PlugAction, arg: unknown): Promise<PlugResult> {
  const cloud = (): NonNullable<Device['cloud']> => need(device, device.cloud, 'cloud');
  switch (action) {
    case 'reboot':
      await need(device, device.system, 'reboot').reboot(delayArgument(arg));
      return data(device, option, action, true);
    case 'reset':
      await need(device, device.system, 'factory reset').factoryReset(delayArgument(arg));
      return data(device, option, action, true);
    case 'wifi_scan':
      return data(device, option, action, await need(device, device.wifi, 'Wi-Fi').scan());
    case 'wifi': {
      const a = objectArgument(action, arg);
      await need(device, device.wifi, 'Wi-Fi').join(String(a.ssid ?? ''), String(a.password ?? ''), numberArgument(a.keyType, 3));
      return data(device, option, action, true);
    }
    case 'cloud_bind': {
      const a = objectArgument(action, arg);
      await cloud().bind(String(a.username ?? ''), String(a.password ?? ''));
      return data(device, option, action, await cloud().info());
    }
    case 'cloud_unbind':
      await cloud().unbind();
      return data(device, option, action, await cloud().info());
    case 'erase_stats':
      await need(device, device.energy, 'energy meter').erase(option);
      return data(device, option, action, true);
    default:
      throw new PlugInputError('unknown-command', { command: describe(action) }, `unknown command ${describe(action)}`);
  }
}

/**
 * A dimmer's level, or a light's brightness: a number, or { brightness, transition }.
 * Where it goes is the device layer's rule (Device.dimmingTarget): an outlet
 * that does not dim is refused before anything is sent. The answer reports
 * what was dimmed, as a node for it would: on a whole KS240, its dimmer
 * outlet (payload and topic), while the node's status stays the switch's.
 * A SMART dimmer or light takes the transition and applies the level at once; the result says so.
 */
async function setBrightness(device: Device, option: OutletOption, arg: unknown): Promise<PlugResult> {
  const { brightness, transition } = brightnessArgument(arg);
  const target = device.dimmingTarget(option);
  await device.setBrightness(brightness, transition === undefined ? target : { ...target, transition });
  const result = await withState(device, target, 'brightness');
  result.on = device.isOn(option);
  if (result.state && transitionIgnoredBy(result.state, transition)) result.transitionIgnored = true;
  return result;
}

export function brightnessArgument(arg: unknown): { brightness: number; transition?: number } {
  const value = isObject(arg) ? arg.brightness : arg;
  const brightness = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  const transition = isObject(arg) ? arg.transition : undefined;
  if (typeof brightness === 'number' && Number.isInteger(brightness) && brightness >= 0 && brightness <= 100
    && (transition === undefined || (typeof transition === 'number' && Number.isInteger(transition) && transition >= 0))) {
    return transition === undefined ? { brightness } : { brightness, transition: transition as number };
  }
  const expected = 'a brightness from 0 to 100, or { "brightness": 0-100, "transition": ms }';
  throw new PlugInputError('bad-argument', { command: 'brightness', expected, got: describe(arg) }, `brightness expects ${expected}, got ${describe(arg)}`);
}

/** `{delay, act}` for a countdown (act: on/off/true/false/1/0). */
function countdownArgument(arg: Record<string, unknown>): { delay: number; act: number } {
  const delay = Number(arg.delay);
  const act = parsePowerValue(arg.act ?? 'on');
  if (!Number.isInteger(delay) || delay < 0 || typeof act !== 'boolean') {
    throw new PlugInputError('bad-argument', { command: 'countdown', expected: '{ "delay": seconds, "act": "on" | "off" }', got: describe(arg) },
      `countdown expects { "delay": seconds, "act": "on" | "off" }, got ${describe(arg)}`);
  }
  return { delay, act: act ? 1 : 0 };
}

function dateArgument(arg: unknown, now: Date): { year: number; month: number } {
  const a = isObject(arg) ? arg : {};
  const year = Number.isInteger(a.year) ? (a.year as number) : now.getFullYear();
  const month = Number.isInteger(a.month) ? (a.month as number) : now.getMonth() + 1;
  return { year, month };
}

function stringArgument(command: string, arg: unknown, expected: string): string {
  if (typeof arg === 'string' && arg.trim() !== '') return arg;
  throw new PlugInputError('bad-argument', { command, expected, got: describe(arg) },
    `${command} expects ${expected} in msg.payload, got ${describe(arg)}`);
}

function objectArgument(command: string, arg: unknown): Record<string, unknown> {
  if (isObject(arg)) return arg;
  throw new PlugInputError('bad-argument', { command, expected: 'an object', got: describe(arg) },
    `${command} expects an object in msg.payload, got ${describe(arg)}`);
}

/** Seconds before a reboot or reset: a small number in msg.payload, else 1 (an inject's timestamp is not a delay). */
function delayArgument(arg: unknown): number {
  return typeof arg === 'number' && Number.isInteger(arg) && arg >= 0 && arg <= 3600 ? arg : 1;
}

function numberArgument(arg: unknown, fallback: number): number {
  return typeof arg === 'number' && Number.isFinite(arg) ? arg : fallback;
}
