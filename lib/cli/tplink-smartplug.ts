#!/usr/bin/env node
/**
 * tplink-smartplug: the flags and output of softScheck's tplink_smartplug.py,
 * on top of the library, with exit codes a script can test:
 * 0 ok, 1 err_code, 2 usage, 3 timeout or unreachable, 4 malformed reply, 5 KLAP or AES authentication, 70 a bug.
 * on, off, energy, -o and the light flags go through the device layer
 * (smartplug-device.ts), so they work for every kind and family; other
 * commands and -j are sent as written (to a SMART device: smartplug-smart.ts).
 * Over HTTP (--klap, --aes, or an account alone: automatic) everything goes
 * through the device layer, which finds out whether the device is a Kasa or
 * a Tapo one. -b with the info command also lists the devices that answer
 * the UDP 20002/20004 probe (smartplug-tdp.ts).
 */
import { SmartHomeClient } from '../classic/client';
import { forChildren, type SmartHomeRequest } from '../classic/commands';
import { DeviceInputError } from '../device/errors';
import type { Device } from '../device/device';
import { formatTrafficEvent, type TrafficEvent } from '../traffic';
import { checkResponse, type SmartHomeResponse } from '../classic/response';
import { broadcastRequest, type BroadcastReply } from '../classic/broadcast';
import { confirm } from './confirm';
import {
  EXIT_DEVICE_ERROR, EXIT_INTERNAL, EXIT_MALFORMED, EXIT_OK, EXIT_UNREACHABLE, EXIT_USAGE, UsageError, describeFailure, exitCodeFor,
} from './exit-status';
import { DESTRUCTIVE_COMMANDS } from './smartplug-commands';
import { DEVICE_COMMANDS, openForCommand, outletOf, printExchanges, runDeviceCommand } from './smartplug-device';
import { runDump } from './smartplug-dump';
import { listTdpDevices } from './smartplug-tdp';
import { sendSmart } from './smartplug-smart';
import { HELP, USAGE, parseCommandLine, type SmartplugOptions } from './smartplug-options';
import { withSessionKeysPrinted } from './smartplug-session-keys';

const NAME = 'tplink-smartplug';
const SMART_HOME_PORT = 9999;
/** KLAP and AES: HTTP. */
const HTTP_PORT = 80;

export interface Io {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  let options: SmartplugOptions;
  try {
    const parsed = parseCommandLine(argv, io.env);
    if (parsed.help) {
      io.stdout.write(HELP);
      return EXIT_OK;
    }
    options = parsed.options;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`${NAME}: error: ${error.message}\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  return withSessionKeysPrinted(options.printSessionKeys, io.stderr, () => run(options, io));
}

async function run(options: SmartplugOptions, io: Io): Promise<number> {
  if (options.dump) return runDump(options.dump, { ...options, transport: options.transport === 'udp' ? 'udp' : options.transport === 'klap' ? 'klap' : 'tcp' }, io);
  const port = options.port ?? (options.transport === 'klap' || options.transport === 'aes' ? HTTP_PORT : SMART_HOME_PORT);
  if (!(await confirmed(options, port, io))) return EXIT_USAGE;
  return options.broadcast ? runBroadcast(options, port, io) : runOne(options, port, io);
}

/** reboot and reset are asked about on a terminal and refused without one, unless --yes. */
async function confirmed(options: SmartplugOptions, port: number, io: Io): Promise<boolean> {
  if (options.yes || options.command === undefined || !DESTRUCTIVE_COMMANDS.has(options.command)) return true;
  const target = options.broadcast ? `every device answering ${options.host}:${port}` : `${options.host}:${port}`;
  const outcome = await confirm(`${options.command} ${target}?`, { input: io.stdin, output: io.stderr });
  if (outcome === 'yes') return true;
  io.stderr.write(
    outcome === 'no-terminal'
      ? `${NAME}: error: refusing to ${options.command} ${target} without confirmation: no terminal to ask on; pass --yes\n`
      : `${NAME}: ${options.command} cancelled\n`,
  );
  return false;
}

async function runOne(options: SmartplugOptions, port: number, io: Io): Promise<number> {
  const throughDevice = options.light !== undefined || options.outlet !== undefined || DEVICE_COMMANDS.has(options.command ?? '')
    || options.transport === 'klap' || options.transport === 'aes' || options.transport === 'auto';
  let close: (() => Promise<void>) | undefined;
  try {
    if (throughDevice) {
      const { device, exchanges } = await openForCommand(options, port, io);
      close = () => device.close();
      if (options.light !== undefined || DEVICE_COMMANDS.has(options.command ?? '')) {
        try {
          await runDeviceCommand(device, options);
        } finally {
          printExchanges(exchanges, options.quiet, io.stdout);
        }
      } else if (device.family === 'smart') {
        // A request as written prints its own exchange, once.
        await sendSmart(device, options, io.stdout, outletOf(device, options.outlet));
      } else {
        await sendRaw(options, io, (text) => device.request(text, { timeout: options.timeout }), device.address, childIdOf(device, options.outlet));
      }
      return EXIT_OK;
    }
    const client = new SmartHomeClient({
      host: options.host, port, transport: options.transport === 'udp' ? 'udp' : 'tcp', timeout: options.timeout,
      // No silent retries: -T bounds the whole run, as in the original.
      retries: 0, localAddress: options.sourceAddress,
      ...(options.verbose ? { onTraffic: (event: TrafficEvent) => io.stderr.write(`${formatTrafficEvent(event)}\n`) } : {}),
    });
    close = () => client.close();
    await sendRaw(options, io, (text) => client.sendUnchecked(text), client.address, undefined);
    return EXIT_OK;
  } catch (error) {
    const usage = error instanceof UsageError;
    io.stderr.write(`${NAME}: ${usage || error instanceof DeviceInputError ? 'error: ' : ''}${describeFailure(error, options.host, port)}\n`);
    if (usage) io.stderr.write(`${USAGE}\n`);
    return exitCodeFor(error);
  } finally {
    await close?.();
  }
}

/** -o's outlet as the full child id the request carries. */
function childIdOf(device: Device, ref: string | undefined): string | undefined {
  const option = outletOf(device, ref);
  return option.outlet === undefined ? undefined : device.outlet(option.outlet).id;
}

/**
 * The original's exchange: the JSON as written (to one outlet with -o,
 * through context.child_ids), the reply as it came, then its err_codes.
 */
async function sendRaw(
  options: SmartplugOptions, io: Io, send: (text: string) => Promise<SmartHomeResponse>, address: { host: string; port: number }, childId: string | undefined,
): Promise<void> {
  let text = options.json;
  if (childId !== undefined) text = JSON.stringify(forChildren(JSON.parse(text) as SmartHomeRequest, [childId]));
  const response = await send(text);
  io.stdout.write(options.quiet ? `${JSON.stringify(response)}\n` : `Sent:      ${text}\nReceived:  ${JSON.stringify(response)}\n`);
  checkResponse(JSON.parse(text) as object, response, address);
}

async function runBroadcast(options: SmartplugOptions, port: number, io: Io): Promise<number> {
  const request = JSON.parse(options.json) as object;
  let malformed = false;
  let refused = false;
  const onReply = (reply: BroadcastReply): void => {
    if (reply.error) {
      malformed = true;
      io.stderr.write(`${NAME}: ${describeFailure(reply.error, reply.host, reply.port)}\n`);
      return;
    }
    io.stdout.write(`${options.quiet ? '' : `Received from ${reply.host}:${reply.port}:  `}${JSON.stringify(reply.response)}\n`);
    if (!accepted(request, reply.response, reply, io)) refused = true;
  };
  if (!options.quiet) io.stdout.write(`Sent:      ${options.json}\n`);
  try {
    // Asking what is there: Tapo and newer Kasa firmware answer only the UDP 20002/20004 probe, sent in the same window.
    const listing = options.command === 'info'
      ? listTdpDevices({ destination: options.host, sourceAddress: options.sourceAddress, timeout: options.timeout, quiet: options.quiet }, io.stdout)
      : Promise.resolve(0);
    const [replies, listed] = await Promise.all([
      broadcastRequest(options.json, { broadcast: options.host, port, timeout: options.timeout, sourceAddress: options.sourceAddress, onReply }),
      listing,
    ]);
    if (replies.length === 0 && listed === 0) {
      io.stderr.write(`${NAME}: ${options.host}:${port}: no reply to the broadcast within ${options.timeout / 1000} s\n`);
      return EXIT_UNREACHABLE;
    }
  } catch (error) {
    io.stderr.write(`${NAME}: ${describeFailure(error, options.host, port)}\n`);
    return exitCodeFor(error);
  }
  if (malformed) return EXIT_MALFORMED;
  return refused ? EXIT_DEVICE_ERROR : EXIT_OK;
}

function accepted(request: object, response: SmartHomeResponse, from: { host: string; port: number }, io: Io): boolean {
  try {
    checkResponse(request, response, from);
    return true;
  } catch (error) {
    io.stderr.write(`${NAME}: ${describeFailure(error, from.host, from.port)}\n`);
    return false;
  }
}

if (require.main === module) {
  // A closed pipe (`| head -1`) is not an error worth a stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  main(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${NAME}: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = EXIT_INTERNAL;
    },
  );
}
