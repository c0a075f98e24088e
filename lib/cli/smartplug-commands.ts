/**
 * The predefined commands of tplink_smartplug.py (same names, same JSON,
 * byte for byte), plus LED and statistics resets, built from the library's
 * command builders.
 */
import * as cmd from '../classic/commands';

export const PREDEFINED_COMMANDS = {
  info: cmd.system.getSysinfo(),
  on: cmd.system.setRelayState(true),
  off: cmd.system.setRelayState(false),
  ledoff: cmd.system.setLed(false),
  ledon: cmd.system.setLed(true),
  cloudinfo: cmd.cloud.getInfo(),
  // The original asks for the cached list (refresh 0): a fresh scan takes seconds.
  wlanscan: cmd.netif.getScanInfo(false),
  time: cmd.time.getTime(),
  schedule: cmd.schedule.getRules(),
  countdown: cmd.countdown.getRules(),
  antitheft: cmd.antiTheft.getRules(),
  reboot: cmd.system.reboot(1),
  reset: cmd.system.reset(1),
  energy: cmd.emeter.getRealtime(),
  energy_reset: cmd.emeter.eraseStats(),
  runtime_reset: cmd.schedule.eraseRuntimeStats(),
} as const satisfies Record<string, cmd.SmartHomeRequest>;

export type PredefinedCommand = keyof typeof PREDEFINED_COMMANDS;

export const PREDEFINED_COMMAND_NAMES = Object.keys(PREDEFINED_COMMANDS) as PredefinedCommand[];

/** Commands that take the device away (reboot) or wipe it (reset): confirmed first. */
export const DESTRUCTIVE_COMMANDS: ReadonlySet<string> = new Set<PredefinedCommand>(['reboot', 'reset']);

export function isPredefinedCommand(name: string): name is PredefinedCommand {
  return Object.prototype.hasOwnProperty.call(PREDEFINED_COMMANDS, name);
}
