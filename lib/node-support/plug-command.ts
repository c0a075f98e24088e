/**
 * Turns a Node-RED message into one plug command, without any Node-RED
 * import so that the rules are testable alone. Errors carry a message key
 * and its parameters; the node translates them with RED._().
 */
import { isObject, type SmartHomeRequest } from '../classic/commands';
import { NodeInputError } from './input-error';

/** Actions named by msg.command (or by msg.topic when it is one of these). */
export const PLUG_ACTIONS = [
  'on', 'off', 'toggle', 'info', 'brightness', 'energy', 'day_stats', 'month_stats', 'led_on', 'led_off', 'alias',
  'time', 'timezone', 'schedule', 'schedule_add', 'schedule_delete', 'schedule_clear', 'next_action',
  'countdown', 'countdown_clear', 'away', 'cloud_info',
  // administrative
  'reboot', 'reset', 'wifi_scan', 'wifi', 'cloud_bind', 'cloud_unbind', 'erase_stats',
] as const;
export type PlugAction = (typeof PLUG_ACTIONS)[number];

/** Changes to the device itself, its network or its cloud account: refused unless the node allows them. */
export const ADMIN_ACTIONS: ReadonlySet<PlugAction> = new Set<PlugAction>([
  'reboot', 'reset', 'wifi_scan', 'wifi', 'cloud_bind', 'cloud_unbind', 'erase_stats',
]);

/** Methods that make a raw JSON command administrative, per module. */
const ADMIN_METHODS: Record<string, ReadonlySet<string>> = {
  system: new Set([
    'reboot', 'reset', 'set_mac_addr', 'set_device_id', 'set_hw_id', 'set_test_mode',
    'download_firmware', 'flash_firmware', 'set_dev_location',
  ]),
  netif: new Set(['get_scaninfo', 'set_stainfo']),
  cnCloud: new Set(['bind', 'unbind', 'set_server_url']),
  emeter: new Set(['erase_emeter_stat', 'set_vgain_igain', 'start_calibration']),
};

const PROTOCOL_MODULES = new Set(['system', 'emeter', 'schedule', 'count_down', 'anti_theft', 'time', 'cnCloud', 'netif', 'context']);

export type PlugCommand =
  | { kind: 'power'; state: boolean | 'toggle' }
  | { kind: 'action'; action: PlugAction; argument: unknown }
  | { kind: 'raw'; request: SmartHomeRequest };

export class PlugInputError extends NodeInputError {}

/** Reads a switch value: true/false, "on"/"off", 1/0 or "toggle"; undefined when it is none of these. */
export function parsePowerValue(value: unknown): boolean | 'toggle' | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === 0) return value === 1;
  if (typeof value !== 'string') return undefined;
  switch (value.trim().toLowerCase()) {
    case 'on': case 'true': case '1': return true;
    case 'off': case 'false': case '0': return false;
    case 'toggle': return 'toggle';
    default: return undefined;
  }
}

export function isPlugAction(value: unknown): value is PlugAction {
  return typeof value === 'string' && (PLUG_ACTIONS as readonly string[]).includes(value);
}

/** An object whose every key is a Smart Home module (and at least one is not `context`). */
export function isRawRequest(value: unknown): value is SmartHomeRequest {
  if (!isObject(value)) return false;
  const keys = Object.keys(value);
  return keys.some((k) => k !== 'context') && keys.every((k) => PROTOCOL_MODULES.has(k) || k.startsWith('smartlife.iot.'));
}

/** `{ brightness, transition? }`: a dimmer's (or light's) level, checked when it runs. */
function isBrightnessRequest(value: unknown): boolean {
  return isObject(value) && 'brightness' in value && Object.keys(value).every((k) => k === 'brightness' || k === 'transition');
}

export function parsePlugCommand(msg: { command?: unknown; topic?: unknown; payload?: unknown }): PlugCommand {
  const named = commandName(msg);
  if (named !== undefined) {
    if (named === 'on' || named === 'off' || named === 'toggle') {
      return { kind: 'power', state: named === 'toggle' ? 'toggle' : named === 'on' };
    }
    return { kind: 'action', action: named, argument: msg.payload };
  }
  if (isRawRequest(msg.payload)) return { kind: 'raw', request: msg.payload };
  if (isBrightnessRequest(msg.payload)) return { kind: 'action', action: 'brightness', argument: msg.payload };
  const state = parsePowerValue(msg.payload);
  if (state !== undefined) return { kind: 'power', state };
  throw new PlugInputError('bad-input', { payload: describe(msg.payload) },
    `cannot tell what to do with payload ${describe(msg.payload)}: send true/false, "on"/"off", 1/0, "toggle", { "brightness": 0-100 }, a msg.command or a JSON command`);
}

/** What a plug node's own output carries in msg.command with a switch value in msg.payload. */
const STATE_REPORTS: ReadonlySet<unknown> = new Set(['state', 'power']);

/**
 * msg.command wins (except 'state' and 'power': another plug node's answer, switched by its payload);
 * msg.topic counts only when it names an action, because flows use topics for much else.
 */
function commandName(msg: { command?: unknown; topic?: unknown }): PlugAction | undefined {
  if (msg.command !== undefined && msg.command !== null && msg.command !== '') {
    const name = typeof msg.command === 'string' ? msg.command.trim().toLowerCase() : msg.command;
    if (isPlugAction(name)) return name;
    if (STATE_REPORTS.has(name)) return undefined;
    throw new PlugInputError('unknown-command', { command: describe(msg.command) },
      `unknown command ${describe(msg.command)}; known commands: ${PLUG_ACTIONS.join(', ')}`);
  }
  const topic = typeof msg.topic === 'string' ? msg.topic.trim().toLowerCase() : undefined;
  return isPlugAction(topic) ? topic : undefined;
}

export function isAdministrative(command: PlugCommand): boolean {
  if (command.kind === 'action') return ADMIN_ACTIONS.has(command.action);
  if (command.kind === 'raw') return adminMethodsIn(command.request).length > 0;
  return false;
}

/** The `module.method` names of a raw request that are administrative. */
export function adminMethodsIn(request: SmartHomeRequest): string[] {
  const found: string[] = [];
  for (const [module, methods] of Object.entries(request)) {
    const admin = ADMIN_METHODS[module];
    if (!admin || !isObject(methods)) continue;
    for (const method of Object.keys(methods)) if (admin.has(method)) found.push(`${module}.${method}`);
  }
  return found;
}

export function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}
