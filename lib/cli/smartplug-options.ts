/**
 * Command line of tplink-smartplug: the flags of tplink_smartplug.py (with
 * its -u/-b/-s/-T extensions) parsed by util.parseArgs and checked up front,
 * so that every mistake is a usage error (exit 2) before anything is sent.
 */
import * as net from 'net';
import { parseArgs } from 'util';
import { UsageError } from './exit-status';
import { PREDEFINED_COMMANDS, PREDEFINED_COMMAND_NAMES, isPredefinedCommand } from './smartplug-commands';
import { DUMP_FLAGS, DUMP_HELP, dumpRequestOf, type DumpRequest } from './smartplug-dump';
import { SESSION_KEY_FLAGS, SESSION_KEYS_HELP } from './smartplug-session-keys';

export const USAGE =
  'usage: tplink-smartplug (-t <host> | -b) [-c <command> | -j <json>] [--brightness <0-100>] [--temperature <kelvin>] ' +
  '[--hsv <h,s,v>] [--transition <ms>] [-u] [-s <address>] [-T <seconds>] [-p <port>] [-o <child id>] [-q] [-v] [--yes] ' +
  '[--klap | --aes] [--username <email>] [--password <password>] [--dump <file>] [--print-session-keys] [--help]';

/** Seconds, as in the original: its TCP connect timeout was 10 s, its UDP and broadcast wait 0.5 s. */
const DEFAULT_TCP_TIMEOUT_S = 10;
const DEFAULT_UDP_TIMEOUT_S = 0.5;
const MAX_TIMEOUT_S = 3600;

/** What the light flags ask of a dimmer or a light; every field optional. */
export interface LightFlags {
  brightness?: number;
  colorTemp?: number;
  hue?: number;
  saturation?: number;
  transition?: number;
}

export interface SmartplugOptions {
  /** Target host, or the broadcast address with `broadcast`. */
  host: string;
  broadcast: boolean;
  port: number | undefined;
  /** 'auto' (an account given, no transport named): classic on 9999, else KLAP or AES on 80. */
  transport: 'tcp' | 'udp' | 'klap' | 'aes' | 'auto';
  /** Name of the predefined command, when one was used (or defaulted). */
  command: string | undefined;
  /** The request: JSON text as the user wrote it (-j), or the predefined command's JSON ('' with light flags alone). */
  json: string;
  /** --brightness, --temperature, --hsv, --transition: set through the device layer. */
  light: LightFlags | undefined;
  /** -v: print every request and reply to stderr. */
  verbose: boolean;
  sourceAddress: string | undefined;
  /** Milliseconds. */
  timeout: number;
  outlet: string | undefined;
  quiet: boolean;
  yes: boolean;
  username: string | undefined;
  password: string | undefined;
  /** --dump: write the device's answers to a file instead of sending one command. */
  dump: DumpRequest | undefined;
  /** --print-session-keys: each AES session's key and IV to stderr, for Wireshark (debug; off by default). */
  printSessionKeys: boolean;
}

export const HELP = `${USAGE}

Sends one command to a TP-Link Kasa or Tapo device and prints the reply: the
Smart Home protocol (TCP or UDP port 9999, or KLAP over HTTP) or, for Tapo
and newer Kasa firmware, the SMART protocol (KLAP or AES over HTTP). With
--username and --password and no transport named, the transport is found
automatically. on, off and energy work for every kind (plugs, strips,
switches, dimmers, bulbs, light strips) and family: the device is read first
to know which request it takes. On a SMART device, info is get_device_info
and -j takes a SMART request such as '{"method":"get_device_info"}'.

  -t, --target <host>        device hostname or IP address
  -b, --broadcast            send by UDP broadcast and print every reply until the timeout;
                             with info (the default) also list the devices answering the
                             UDP 20002/20004 discovery probe (Tapo, newer Kasa firmware),
                             with the transport and login version to use
      --broadcast-address <address>
                             broadcast address (default 255.255.255.255)
  -c, --command <command>    predefined command (default info):
                             ${PREDEFINED_COMMAND_NAMES.join(', ')}
  -j, --json <json>          full JSON request, e.g. '{"system":{"get_sysinfo":{}}}', or on a
                             SMART device '{"method":"get_device_info"}'
  -u, --udp                  send over UDP instead of TCP
  -s, --source <address>     source IP address to send from
  -T, --timeout <seconds>    time to wait for a reply (default 10 for TCP and KLAP,
                             0.5 for UDP and broadcast)
  -p, --port <port>          device port (default 9999, 80 with --klap or --aes)
  -o, --outlet <child id>    one outlet of a power strip: full child id, short id (00-05)
                             or alias
      --brightness <0-100>   dimmers and dimmable lights: set the brightness (and switch on)
      --temperature <kelvin> lights with adjustable white: set the colour temperature
      --hsv <h,s,v>          colour lights: hue 0-360, saturation and brightness 0-100
      --transition <ms>      dimmers and lights: fade over this many milliseconds (also with -c on/off)
  -q, --quiet                print only the reply JSON
  -v, --verbose              print every request and reply to stderr (passwords hidden)
  -y, --yes                  do not ask before reboot or reset
      --klap                 use KLAP (Tapo, newer Kasa firmware); credentials from --username
                             and --password or KASA_USERNAME and KASA_PASSWORD
      --username <email>     TP-Link cloud account e-mail (KLAP, AES; alone: automatic transport)
      --password <password>  TP-Link cloud account password (KLAP, AES)
${DUMP_HELP}${SESSION_KEYS_HELP}  -h, --help                 show this help

Exit codes: 0 success, 1 the device answered with an err_code, 2 usage error,
3 timeout or unreachable, 4 malformed reply, 5 KLAP or AES authentication failed.
`;

export type ParsedCommandLine = { help: true } | { help: false; options: SmartplugOptions };

const FLAGS = {
  target: { type: 'string', short: 't' },
  broadcast: { type: 'boolean', short: 'b' },
  'broadcast-address': { type: 'string' },
  command: { type: 'string', short: 'c' },
  json: { type: 'string', short: 'j' },
  udp: { type: 'boolean', short: 'u' },
  source: { type: 'string', short: 's' },
  timeout: { type: 'string', short: 'T' },
  port: { type: 'string', short: 'p' },
  outlet: { type: 'string', short: 'o' },
  quiet: { type: 'boolean', short: 'q' },
  yes: { type: 'boolean', short: 'y' },
  klap: { type: 'boolean' },
  username: { type: 'string' },
  password: { type: 'string' },
  brightness: { type: 'string' },
  temperature: { type: 'string' },
  hsv: { type: 'string' },
  transition: { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
  ...DUMP_FLAGS,
  ...SESSION_KEY_FLAGS,
} as const;

/** Parses argv (without node and the script); credentials may come from the environment. */
export function parseCommandLine(argv: readonly string[], env: NodeJS.ProcessEnv = {}): ParsedCommandLine {
  const values = parseFlags(argv);
  if (values.help) return { help: true };
  if (values.target === undefined && !values.broadcast) throw new UsageError('one of -t/--target or -b/--broadcast is required');
  if (values.target !== undefined && values.broadcast) throw new UsageError('-t/--target and -b/--broadcast cannot be used together');
  if (values.command !== undefined && values.json !== undefined) throw new UsageError('-c/--command and -j/--json cannot be used together');
  if (values['broadcast-address'] !== undefined && !values.broadcast) throw new UsageError('--broadcast-address needs -b/--broadcast');
  const broadcast = values.broadcast === true;
  const dump = dumpRequestOf(values);
  const transport = transportOf(values, broadcast, dump !== undefined);
  if (broadcast && values.outlet !== undefined) throw new UsageError('-o/--outlet addresses one device: it cannot be used with -b');
  const light = lightFlags(values);
  if (light && (broadcast || values.json !== undefined || (values.command !== undefined && values.command !== 'on' && values.command !== 'off'))) {
    throw new UsageError('--brightness, --temperature, --hsv and --transition go alone or with -c on / -c off, to one device (-t)');
  }
  const { command, json } = dump || (light && values.command === undefined) ? { command: undefined, json: '' } : requestText(values.command, values.json);
  return {
    help: false,
    options: {
      host: broadcast ? broadcastAddress(values['broadcast-address']) : nonEmpty(values.target, '-t/--target'),
      broadcast,
      port: values.port === undefined ? undefined : parsePort(values.port),
      transport,
      command,
      json,
      sourceAddress: values.source === undefined ? undefined : parseAddress(values.source, '-s/--source'),
      timeout: parseTimeout(values.timeout, transport === 'udp' ? DEFAULT_UDP_TIMEOUT_S : DEFAULT_TCP_TIMEOUT_S),
      outlet: values.outlet === undefined ? undefined : nonEmpty(values.outlet, '-o/--outlet'),
      light,
      verbose: values.verbose === true,
      quiet: values.quiet === true,
      yes: values.yes === true,
      username: values.username ?? (values.klap || values.aes ? env.KASA_USERNAME : undefined),
      password: values.password ?? (values.klap || values.aes ? env.KASA_PASSWORD : undefined),
      dump,
      printSessionKeys: values['print-session-keys'] === true,
    },
  };
}

/**
 * --klap and --aes name an HTTP transport; an account without one asks for
 * the automatic transport (classic on 9999, else KLAP or AES), except with
 * --dump, which needs the transport named. -u and -b are classic only.
 */
function transportOf(
  values: { klap?: boolean; aes?: boolean; udp?: boolean; username?: string; password?: string }, broadcast: boolean, dump: boolean,
): SmartplugOptions['transport'] {
  const account = values.username !== undefined || values.password !== undefined;
  if (values.klap && values.aes) throw new UsageError('--klap and --aes name two transports: give one');
  if ((values.klap || values.aes) && (values.udp || broadcast)) throw new UsageError(`--${values.klap ? 'klap' : 'aes'} runs over HTTP: it cannot be combined with -u or -b`);
  if (account && !values.klap && !values.aes) {
    if (dump) throw new UsageError('--username and --password with --dump need --klap or --aes');
    if (values.udp || broadcast) throw new UsageError('--username and --password log in over HTTP (KLAP or AES): they cannot be combined with -u or -b');
    return 'auto';
  }
  if (values.klap) return 'klap';
  // With --dump, --aes is the dump's own flag (DumpRequest.aes).
  if (values.aes && !dump) return 'aes';
  return values.udp || broadcast ? 'udp' : 'tcp';
}

function parseFlags(argv: readonly string[]): { [K in keyof typeof FLAGS]?: (typeof FLAGS)[K]['type'] extends 'string' ? string : boolean } {
  try {
    return parseArgs({ args: [...argv], options: FLAGS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    // parseArgs' messages are clear but long; keep the first sentence.
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new UsageError(message.replace(/\. To specify .*$/, ''));
  }
}

function requestText(command: string | undefined, json: string | undefined): { command: string | undefined; json: string } {
  if (json !== undefined) {
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch {
      throw new UsageError(`-j/--json is not valid JSON: ${json}`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new UsageError(`-j/--json must be a JSON object such as {"system":{"get_sysinfo":{}}}: ${json}`);
    }
    return { command: undefined, json };
  }
  const name = command ?? 'info';
  if (!isPredefinedCommand(name)) {
    throw new UsageError(`unknown command '${name}'; choose one of: ${PREDEFINED_COMMAND_NAMES.join(', ')}`);
  }
  return { command: name, json: JSON.stringify(PREDEFINED_COMMANDS[name]) };
}

function lightFlags(values: { brightness?: string; temperature?: string; hsv?: string; transition?: string }): LightFlags | undefined {
  const flags: LightFlags = {};
  if (values.brightness !== undefined) flags.brightness = wholeNumber(values.brightness, '--brightness', 0, 100);
  if (values.temperature !== undefined) flags.colorTemp = wholeNumber(values.temperature, '--temperature', 1000, 20_000);
  if (values.transition !== undefined) flags.transition = wholeNumber(values.transition, '--transition', 0, 3_600_000);
  if (values.hsv !== undefined) {
    const parts = values.hsv.split(',');
    if (parts.length !== 3) throw new UsageError(`--hsv takes hue,saturation,value such as 240,100,80: '${values.hsv}'`);
    flags.hue = wholeNumber(parts[0], '--hsv hue', 0, 360);
    flags.saturation = wholeNumber(parts[1], '--hsv saturation', 0, 100);
    if (flags.brightness !== undefined) throw new UsageError('--hsv carries the brightness: it cannot be used with --brightness');
    flags.brightness = wholeNumber(parts[2], '--hsv value', 0, 100);
    if (flags.colorTemp !== undefined) throw new UsageError('--hsv and --temperature choose between colour and white: give one');
  }
  return Object.keys(flags).length === 0 ? undefined : flags;
}

function wholeNumber(text: string, flag: string, min: number, max: number): number {
  const n = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} must be a whole number from ${min} to ${max}: '${text}'`);
  return n;
}

function parsePort(text: string): number {
  const port = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`invalid port '${text}': expected 1-65535`);
  return port;
}

function parseTimeout(text: string | undefined, defaultSeconds: number): number {
  if (text === undefined) return defaultSeconds * 1000;
  const seconds = /^\d*\.?\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!(seconds > 0 && seconds <= MAX_TIMEOUT_S)) {
    throw new UsageError(`invalid timeout '${text}': expected seconds, more than 0 and at most ${MAX_TIMEOUT_S}`);
  }
  return Math.max(1, Math.round(seconds * 1000));
}

function parseAddress(text: string, flag: string): string {
  if (net.isIP(text) === 0) throw new UsageError(`${flag} must be an IP address: '${text}'`);
  return text;
}

function broadcastAddress(text: string | undefined): string {
  return text === undefined ? '255.255.255.255' : parseAddress(text, '--broadcast-address');
}

function nonEmpty(text: string | undefined, flag: string): string {
  if (text === undefined || text.trim() === '') throw new UsageError(`${flag} must not be empty`);
  return text.trim();
}
