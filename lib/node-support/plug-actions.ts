/**
 * Runs a parsed plug command with a SmartHomeClient and shapes the answer:
 * `payload` is the state after a command that changes or reads it, watts for
 * energy, and the data asked for by other queries; the full reply rides along.
 */
import type { SmartHomeClient, SysInfo } from '../classic/client';
import { isObject, resolveChildId, type ScheduleRule, type SmartHomeRequest } from '../classic/commands';
import type { EnergyReading } from '../classic/response';
import { aliasOf, isStrip, stateOf } from './device-view';
import { describe, parsePowerValue, PlugInputError, type PlugAction, type PlugCommand } from './plug-command';

export interface PlugResult {
  /** The action that ran: 'power', 'raw' or a PlugAction. */
  command: string;
  payload: unknown;
  /** Alias of the addressed outlet or device: msg.topic. */
  alias: string;
  sysinfo?: SysInfo;
  energy?: EnergyReading;
  reply?: unknown;
}

/** What a plug node addresses: the device (or a whole strip), or one outlet of a strip. */
export interface PlugTarget {
  client: SmartHomeClient;
  /** '' for the device itself; otherwise an index, short id, full id or alias (see resolveChildId). */
  outlet: string;
}

/** The sysinfo the client saw last, or a fresh one. */
export async function knownSysInfo(client: SmartHomeClient): Promise<SysInfo> {
  return client.lastSysInfo ?? client.getSysInfo();
}

/** Resolves the node's outlet setting to a child id (undefined for the device itself). */
export async function resolveOutlet(target: PlugTarget): Promise<string | undefined> {
  if (target.outlet.trim() === '') return undefined;
  const sysinfo = await knownSysInfo(target.client);
  const id = resolveChildId(sysinfo, target.outlet);
  if (id === undefined) {
    const count = sysinfo.children?.length ?? 0;
    throw new PlugInputError('unknown-outlet', { outlet: target.outlet, count: String(count) },
      `outlet ${JSON.stringify(target.outlet)} is not on this device (it has ${count} outlets)`);
  }
  return id;
}

/** Reads the meter of an outlet or plug; for a whole strip, adds up its outlets. `ifIdle` for polls. */
export async function readEnergy(client: SmartHomeClient, childId: string | undefined, options: { ifIdle?: boolean } = {}): Promise<EnergyReading> {
  const sysinfo = await knownSysInfo(client);
  if (childId !== undefined || !isStrip(sysinfo)) return client.getEnergy({ childId, ifIdle: options.ifIdle });
  const readings: EnergyReading[] = [];
  for (const child of sysinfo.children ?? []) {
    const id = child.id.length <= 2 ? (sysinfo.deviceId ?? '') + child.id : child.id;
    readings.push(await client.getEnergy({ childId: id, ifIdle: options.ifIdle }));
  }
  return sumReadings(readings);
}

function sumReadings(readings: EnergyReading[]): EnergyReading {
  const sum = (key: 'power_mw' | 'current_ma' | 'total_wh'): number => readings.reduce((n, r) => n + r[key], 0);
  const voltageMv = Math.max(0, ...readings.map((r) => r.voltage_mv));
  const power_mw = sum('power_mw');
  const current_ma = sum('current_ma');
  const total_wh = sum('total_wh');
  return {
    power: power_mw / 1000, power_mw, voltage: voltageMv / 1000, voltage_mv: voltageMv,
    current: current_ma / 1000, current_ma, total: total_wh / 1000, total_wh, outlets: readings,
  };
}

export async function runPlugCommand(target: PlugTarget, command: PlugCommand): Promise<PlugResult> {
  const childId = await resolveOutlet(target);
  switch (command.kind) {
    case 'power':
      return switchPower(target.client, childId, command.state);
    case 'raw':
      return runRaw(target.client, childId, command.request);
    case 'action':
      return runAction(target.client, childId, command.action, command.argument);
  }
}

async function switchPower(client: SmartHomeClient, childId: string | undefined, wanted: boolean | 'toggle'): Promise<PlugResult> {
  const on = wanted === 'toggle' ? !stateOf(await client.getSysInfo(), childId) : wanted;
  await client.setPowerState(on, { childId });
  return withState(client, childId, 'power', undefined);
}

/** Reads the sysinfo after a command and reports the state it shows. */
async function withState(client: SmartHomeClient, childId: string | undefined, command: string, reply: unknown): Promise<PlugResult> {
  const sysinfo = await client.getSysInfo();
  return { command, payload: stateOf(sysinfo, childId), alias: aliasOf(sysinfo, childId), sysinfo, reply: reply ?? sysinfo };
}

async function runRaw(client: SmartHomeClient, childId: string | undefined, request: SmartHomeRequest): Promise<PlugResult> {
  // A node bound to one outlet addresses that outlet unless the command names its own context.
  const message = childId !== undefined && request.context === undefined ? { context: { child_ids: [childId] }, ...request } : request;
  const reply = await client.sendUnchecked(message);
  return { command: 'raw', payload: reply, alias: aliasOf(client.lastSysInfo, childId), reply };
}

async function data(client: SmartHomeClient, childId: string | undefined, command: string, value: unknown): Promise<PlugResult> {
  return { command, payload: value, alias: aliasOf(await knownSysInfo(client), childId), reply: value };
}

async function runAction(client: SmartHomeClient, childId: string | undefined, action: PlugAction, arg: unknown): Promise<PlugResult> {
  const outlet = { childId };
  const now = new Date();
  switch (action) {
    case 'on': case 'off': case 'toggle':
      return switchPower(client, childId, action === 'toggle' ? 'toggle' : action === 'on');
    case 'info':
      return withState(client, childId, action, undefined);
    case 'energy': {
      const energy = await readEnergy(client, childId);
      return { command: action, payload: energy.power, alias: aliasOf(await knownSysInfo(client), childId), energy, reply: energy };
    }
    case 'day_stats': {
      const when = dateArgument(arg, now);
      return data(client, childId, action, await client.getDayStats(when.year, when.month, outlet));
    }
    case 'month_stats':
      return data(client, childId, action, await client.getMonthStats(dateArgument(arg, now).year, outlet));
    case 'led_on': case 'led_off':
      await client.setLed(action === 'led_on');
      return withState(client, childId, action, undefined);
    case 'alias':
      await client.setAlias(stringArgument(action, arg, 'a name'), outlet);
      return withState(client, childId, action, undefined);
    case 'time':
      return data(client, childId, action, await client.getTime());
    case 'timezone':
      return data(client, childId, action, await client.getTimezone());
    case 'schedule':
      return data(client, childId, action, await client.getScheduleRules(outlet));
    case 'next_action':
      return data(client, childId, action, await client.getNextAction(outlet));
    case 'schedule_add':
      return data(client, childId, action, { id: await client.addScheduleRule(objectArgument(action, arg) as unknown as ScheduleRule, outlet) });
    case 'schedule_delete':
      await client.deleteScheduleRule(stringArgument(action, arg, 'a rule id'), outlet);
      return data(client, childId, action, await client.getScheduleRules(outlet));
    case 'schedule_clear':
      await client.deleteAllScheduleRules(outlet);
      return data(client, childId, action, await client.getScheduleRules(outlet));
    case 'countdown':
      return countdown(client, childId, arg);
    case 'countdown_clear':
      await client.deleteAllCountdownRules(outlet);
      return data(client, childId, action, await client.getCountdownRules(outlet));
    case 'away':
      return data(client, childId, action, await client.getAntiTheftRules(outlet));
    case 'cloud_info':
      return data(client, childId, action, await client.getCloudInfo());
    case 'reboot':
      await client.reboot(delayArgument(arg));
      return data(client, childId, action, true);
    case 'reset':
      await client.reset(delayArgument(arg));
      return data(client, childId, action, true);
    case 'wifi_scan':
      return data(client, childId, action, await client.scanWifi());
    case 'wifi': {
      const a = objectArgument(action, arg);
      await client.setWifi(String(a.ssid ?? ''), String(a.password ?? ''), numberArgument(a.keyType, 3));
      return data(client, childId, action, true);
    }
    case 'cloud_bind': {
      const a = objectArgument(action, arg);
      await client.bindCloud(String(a.username ?? ''), String(a.password ?? ''));
      return data(client, childId, action, await client.getCloudInfo());
    }
    case 'cloud_unbind':
      await client.unbindCloud();
      return data(client, childId, action, await client.getCloudInfo());
    case 'erase_stats':
      await client.eraseEnergyStats(outlet);
      return data(client, childId, action, true);
  }
}

/** `{delay, act}` sets the countdown (act: on/off/true/false/1/0); anything else reads the rules. */
async function countdown(client: SmartHomeClient, childId: string | undefined, arg: unknown): Promise<PlugResult> {
  if (isObject(arg) && arg.delay !== undefined) {
    const delay = Number(arg.delay);
    const act = parsePowerValue(arg.act ?? 'on');
    if (!Number.isInteger(delay) || delay < 0 || typeof act !== 'boolean') {
      throw new PlugInputError('bad-argument', { command: 'countdown', expected: '{ "delay": seconds, "act": "on" | "off" }', got: describe(arg) },
        `countdown expects { "delay": seconds, "act": "on" | "off" }, got ${describe(arg)}`);
    }
    await client.setCountdown({ delay, act: act ? 1 : 0 }, { childId });
  }
  return data(client, childId, 'countdown', await client.getCountdownRules({ childId }));
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
