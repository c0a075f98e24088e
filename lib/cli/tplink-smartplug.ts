#!/usr/bin/env node
/**
 * tplink-smartplug: the flags and output of softScheck's tplink_smartplug.py,
 * on top of the library, with exit codes a script can test:
 * 0 ok, 1 err_code, 2 usage, 3 timeout or unreachable, 4 malformed reply, 5 KLAP authentication, 70 a bug.
 */
import { SmartHomeClient } from '../classic/client';
import { forChildren, resolveChildId, type SmartHomeRequest } from '../classic/commands';
import { checkResponse, type SmartHomeResponse } from '../classic/response';
import { broadcastRequest, type BroadcastReply } from '../classic/broadcast';
import { confirm } from './confirm';
import {
  EXIT_DEVICE_ERROR, EXIT_INTERNAL, EXIT_MALFORMED, EXIT_OK, EXIT_UNREACHABLE, EXIT_USAGE, UsageError, describeFailure, exitCodeFor,
} from './exit-status';
import { DESTRUCTIVE_COMMANDS } from './smartplug-commands';
import { HELP, USAGE, parseCommandLine, type SmartplugOptions } from './smartplug-options';

const NAME = 'tplink-smartplug';
const SMART_HOME_PORT = 9999;
const KLAP_PORT = 80;

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
  const port = options.port ?? (options.transport === 'klap' ? KLAP_PORT : SMART_HOME_PORT);
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
  let client: SmartHomeClient | undefined;
  try {
    client = new SmartHomeClient({
      host: options.host, port, transport: options.transport, timeout: options.timeout,
      // No silent retries: -T bounds the whole run, as in the original.
      retries: 0, localAddress: options.sourceAddress, username: options.username, password: options.password,
      ...(options.transport === 'klap' ? { klapPort: port } : {}),
    });
    let text = options.json;
    if (options.outlet !== undefined) {
      const childId = await outletChildId(client, options.outlet);
      text = JSON.stringify(forChildren(JSON.parse(text) as SmartHomeRequest, [childId]));
    }
    const response = await client.sendUnchecked(text);
    io.stdout.write(options.quiet ? `${JSON.stringify(response)}\n` : `Sent:      ${text}\nReceived:  ${JSON.stringify(response)}\n`);
    checkResponse(JSON.parse(text) as object, response, client.address);
    return EXIT_OK;
  } catch (error) {
    io.stderr.write(`${NAME}: ${error instanceof UsageError ? 'error: ' : ''}${describeFailure(error, options.host, port)}\n`);
    if (error instanceof UsageError) io.stderr.write(`${USAGE}\n`);
    return exitCodeFor(error);
  } finally {
    await client?.close();
  }
}

/** A full child id is used as given; a short id (00-05) or an alias is looked up in the strip's sysinfo. */
async function outletChildId(client: SmartHomeClient, outlet: string): Promise<string> {
  if (/^[0-9A-F]{40,}$/i.test(outlet)) return outlet;
  const sysinfo = await client.getSysInfo();
  const children = sysinfo.children ?? [];
  if (children.length === 0) throw new UsageError('the device has no outlets to choose with -o (it is not a power strip)');
  const childId = resolveChildId(sysinfo, outlet);
  if (childId === undefined) {
    const known = children.map((c) => `${c.id.slice(-2)} '${c.alias}'`).join(', ');
    throw new UsageError(`the strip has no outlet '${outlet}'; its outlets are ${known}`);
  }
  return childId;
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
    const replies = await broadcastRequest(options.json, {
      broadcast: options.host, port, timeout: options.timeout, sourceAddress: options.sourceAddress, onReply,
    });
    if (replies.length === 0) {
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
